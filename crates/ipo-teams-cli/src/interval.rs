//! Intervals on the command line (`--every 40m`, `--full-every 24h`).

use std::time::Duration;

/// Parses an interval such as `40m`, `90s`, `1h30m` or `2d` (units `s`, `m`, `h`, `d`).
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let usage = || format!("{text:?} is not an interval: write e.g. 40m, 90s, 1h30m or 2d");
    let mut total: u64 = 0;
    let mut digits = String::new();
    for ch in text.trim().chars() {
        if ch.is_ascii_digit() {
            digits.push(ch);
            continue;
        }
        let unit = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(usage()),
        };
        let n: u64 = digits.parse().map_err(|_| usage())?;
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(usage)?;
        digits.clear();
    }
    if !digits.is_empty() || total == 0 {
        return Err(usage());
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_and_nonsense_is_refused() {
        assert_eq!(parse_interval("40m"), Ok(Duration::from_secs(2400)));
        assert_eq!(parse_interval("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_interval("2d"), Ok(Duration::from_secs(172_800)));
        for bad in ["", "0m", "m", "40", "4x", "-5m", "99999999999999999999d"] {
            assert!(parse_interval(bad).is_err(), "{bad:?} parsed");
        }
    }
}
