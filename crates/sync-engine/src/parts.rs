//! The planner's per-person passes, run over contiguous parts of the people at once.
//!
//! Most of planning is per person (scope, mapped values, matching, building the writes, the
//! plan lines); only the steps that hand out something unique or limited need everyone in
//! order (names, extensions, licences, directory entry names, hunt group members,
//! removals and the deletion threshold). The per-person passes split the (sorted) people
//! into contiguous parts, one per thread, and put the results back together in part order,
//! so the plan is the same whatever the thread count. Scoped threads of the standard
//! library: no pool, no runtime, nothing left running.

use std::num::NonZeroUsize;
use std::ops::Range;
use std::panic::resume_unwind;
use std::sync::{Mutex, PoisonError, mpsc};

/// Fewest people worth a thread of their own: below this, starting one costs more than the
/// share of the work it takes.
pub(crate) const MIN_SHARE: usize = 512;

/// Most threads used when the caller leaves the choice to the planner: beyond this the
/// passes are bound by memory, not by cores.
const MAX_AUTO_THREADS: usize = 8;

/// The thread count to plan with: `requested`, or with 0 what the machine offers.
pub(crate) fn thread_count(requested: usize) -> usize {
    match requested {
        0 => std::thread::available_parallelism()
            .map_or(1, NonZeroUsize::get)
            .min(MAX_AUTO_THREADS),
        n => n,
    }
}

/// Calls `f(offset, part)` on contiguous parts of `items` (`offset`: the index of the part's
/// first item), on up to `threads` threads, the first part on the calling thread. The
/// results come back in part order.
pub(crate) fn map_parts<T, R, F>(items: &mut [T], threads: usize, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(usize, &mut [T]) -> R + Sync,
{
    let Some((_, size)) = split(items.len(), threads) else {
        return vec![f(0, items)];
    };
    let parts = items
        .chunks_mut(size)
        .enumerate()
        .map(|(i, part)| (i * size, part))
        .collect();
    run(parts, &|(offset, part)| f(offset, part))
}

/// Runs `f` on every part, the first on the calling thread and each other on a thread of
/// its own; results in part order. A part whose thread the system refuses (a tight thread
/// limit) is run on the calling thread instead: slower, never lost.
fn run<P: Send, R: Send>(parts: Vec<P>, f: &(dyn Fn(P) -> R + Sync)) -> Vec<R> {
    // Each part waits in a cell that whichever thread runs it empties.
    let cells: Vec<Mutex<Option<P>>> = parts.into_iter().map(|p| Mutex::new(Some(p))).collect();
    std::thread::scope(|s| {
        let started: Vec<_> = cells
            .iter()
            .skip(1)
            .map(|cell| {
                std::thread::Builder::new()
                    .spawn_scoped(s, move || take(cell).map(f))
                    .ok()
            })
            .collect();
        let mut out = Vec::with_capacity(cells.len());
        out.extend(cells.first().and_then(take).map(f));
        for (cell, thread) in cells.iter().skip(1).zip(started) {
            // A panic in a part is the planner's own bug: raise it as if planned in line.
            let done = thread.and_then(|t| t.join().unwrap_or_else(|e| resume_unwind(e)));
            out.extend(done.or_else(|| take(cell).map(f)));
        }
        out
    })
}

fn take<P>(cell: &Mutex<Option<P>>) -> Option<P> {
    cell.lock().unwrap_or_else(PoisonError::into_inner).take()
}

/// How `len` items are split for `threads` threads: the number of parts and their size
/// (the last may be shorter), or None when they stay in one part.
fn split(len: usize, threads: usize) -> Option<(usize, usize)> {
    let parts = (len / MIN_SHARE).clamp(1, threads.max(1));
    (parts > 1).then(|| (parts, len.div_ceil(parts)))
}

/// Calls `f` on contiguous ranges of `0..len` (split as [`map_parts`] splits), on up to
/// `threads` threads; for passes that read their items rather than change them.
pub(crate) fn map_ranges<R, F>(len: usize, threads: usize, f: F) -> Vec<R>
where
    R: Send,
    F: Fn(Range<usize>) -> R + Sync,
{
    let Some((_, size)) = split(len, threads) else {
        return vec![f(0..len)];
    };
    let ranges = (0..len)
        .step_by(size)
        .map(|start| start..(start + size).min(len))
        .collect();
    run(ranges, &f)
}

/// People per stretch of a [`pipeline`]: small enough that little waits at either end.
const STRETCH: usize = 4 * MIN_SHARE;

/// Runs `ordered` over contiguous stretches of `items`, in order, on the calling thread, and
/// hands each stretch it is done with to `then` on the other threads (and on this one once
/// `ordered` has seen them all): a step that must see everyone in order overlaps with the
/// per-item work that needs its result. The results of `then` come back in stretch order.
pub(crate) fn pipeline<T, R, A, B>(
    items: &mut [T],
    threads: usize,
    mut ordered: A,
    then: B,
) -> Vec<R>
where
    T: Send,
    R: Send,
    A: FnMut(usize, &mut [T]),
    B: Fn(usize, &mut [T]) -> R + Sync,
{
    if split(items.len(), threads).is_none() {
        ordered(0, items);
        return vec![then(0, items)];
    }
    let (to_build, stretches) = mpsc::channel::<(usize, &mut [T])>();
    let stretches = Mutex::new(stretches);
    // Takes stretches until there are none left and no more will come.
    let work = || {
        let mut done = Vec::new();
        loop {
            let next = stretches
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .recv();
            let Ok((offset, stretch)) = next else {
                return done;
            };
            done.push((offset, then(offset, stretch)));
        }
    };
    std::thread::scope(|s| {
        // No more helpers than stretches after the first (this thread builds too).
        let helpers = (threads - 1).min(items.len().div_ceil(STRETCH) - 1);
        let helpers: Vec<_> = (0..helpers)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(s, work).ok())
            .collect();
        let mut here = Vec::new();
        for (k, stretch) in items.chunks_mut(STRETCH).enumerate() {
            let offset = k * STRETCH;
            ordered(offset, stretch);
            // Only fails when nobody can receive, which `stretches` rules out; built here
            // if it ever did.
            if let Err(mpsc::SendError((offset, stretch))) = to_build.send((offset, stretch)) {
                here.push((offset, then(offset, stretch)));
            }
        }
        drop(to_build);
        here.extend(work());
        for h in helpers {
            here.extend(h.join().unwrap_or_else(|e| resume_unwind(e)));
        }
        here.sort_by_key(|(offset, _)| *offset);
        here.into_iter().map(|(_, r)| r).collect()
    })
}

/// Maps every item to one result, in order, on up to `threads` threads.
pub(crate) fn map_each<T, U, F>(items: &mut [T], threads: usize, f: F) -> Vec<U>
where
    T: Send,
    U: Send,
    F: Fn(usize, &mut T) -> U + Sync,
{
    let total = items.len();
    let parts = map_parts(items, threads, |offset, part| {
        // The first part's vector takes everything: the others are appended to it, so the
        // results are copied once, not twice.
        let mut out = Vec::with_capacity(if offset == 0 { total } else { part.len() });
        out.extend(
            part.iter_mut()
                .enumerate()
                .map(|(i, item)| f(offset + i, item)),
        );
        out
    });
    let mut parts = parts.into_iter();
    let mut all = parts.next().unwrap_or_default();
    for p in parts {
        all.extend(p);
    }
    all
}

/// Calls `f(index, item)` on every item, on up to `threads` threads.
pub(crate) fn for_each<T, F>(items: &mut [T], threads: usize, f: F)
where
    T: Send,
    F: Fn(usize, &mut T) + Sync,
{
    map_parts(items, threads, |offset, part| {
        for (i, item) in part.iter_mut().enumerate() {
            f(offset + i, item);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_order_whatever_the_thread_count() {
        let mut items: Vec<usize> = (0..5 * MIN_SHARE + 7).collect();
        let want: Vec<usize> = items.iter().map(|i| i * 2).collect();
        for threads in [1, 2, 3, 8] {
            let got = map_each(&mut items, threads, |i, x| {
                assert_eq!(i, *x, "offset of item {x}");
                *x * 2
            });
            assert_eq!(got, want, "{threads} threads");
        }
    }

    #[test]
    fn parts_cover_every_item_once() {
        let mut items = vec![0u32; 3 * MIN_SHARE + 1];
        for_each(&mut items, 4, |_, x| *x += 1);
        assert!(items.iter().all(|&x| x == 1));
        let sizes = map_parts(&mut items, 4, |_, part| part.len());
        assert_eq!(
            sizes.len(),
            3,
            "no part smaller than MIN_SHARE is split off"
        );
        assert_eq!(sizes.iter().sum::<usize>(), items.len());
    }

    #[test]
    fn ranges_split_like_parts() {
        let len = 3 * MIN_SHARE + 1;
        let mut items = vec![0u8; len];
        let by_parts = map_parts(&mut items, 4, |offset, part| offset..offset + part.len());
        assert_eq!(map_ranges(len, 4, |r| r), by_parts);
        assert_eq!(map_ranges(10, 4, |r| r), vec![0..10]);
    }

    #[test]
    fn pipeline_orders_then_builds_every_stretch_once_in_order() {
        let len = 5 * STRETCH + 3;
        let mut items: Vec<(usize, usize)> = (0..len).map(|i| (i, 0)).collect();
        let mut seen = 0;
        let built = pipeline(
            &mut items,
            3,
            |offset, stretch| {
                // The ordered step sees every item once, in order, and numbers it.
                assert_eq!(offset, seen);
                for item in stretch.iter_mut() {
                    seen += 1;
                    item.1 = seen;
                }
            },
            // The per-item step sees the ordered step's work done.
            |offset, stretch| (offset, stretch.iter().map(|(i, n)| n - i).sum::<usize>()),
        );
        assert_eq!(seen, len);
        let offsets: Vec<usize> = built.iter().map(|(o, _)| *o).collect();
        assert_eq!(offsets, (0..len).step_by(STRETCH).collect::<Vec<_>>());
        let total: usize = built.iter().map(|(_, n)| n).sum();
        assert_eq!(
            total, len,
            "each item numbered one past its index, built once"
        );
    }

    #[test]
    fn small_inputs_stay_on_the_calling_thread() {
        let here = std::thread::current().id();
        let mut items = vec![(); MIN_SHARE * 2 - 1];
        let threads = map_parts(&mut items, 8, |_, _| std::thread::current().id());
        assert_eq!(threads, vec![here]);
    }

    #[test]
    fn zero_means_what_the_machine_offers() {
        assert!(thread_count(0) >= 1);
        assert!(thread_count(0) <= MAX_AUTO_THREADS);
        assert_eq!(thread_count(3), 3);
    }
}
