//! Which bytes of a file are there: the partial file's record of what was downloaded.

use serde::{Deserialize, Serialize};

/// Sorted, non-overlapping, non-adjacent half-open byte ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeSet(Vec<(u64, u64)>);

impl RangeSet {
    pub fn insert(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        let (mut start, mut end) = (start, end);
        let mut merged = Vec::with_capacity(self.0.len() + 1);
        for &(s, e) in &self.0 {
            if e < start || s > end {
                merged.push((s, e));
            } else {
                start = start.min(s);
                end = end.max(e);
            }
        }
        merged.push((start, end));
        merged.sort_unstable();
        self.0 = merged;
    }

    /// Bytes available from `offset` on without a gap (0 when `offset` is missing).
    pub fn contiguous_from(&self, offset: u64) -> u64 {
        self.0.iter().find(|(s, e)| *s <= offset && offset < *e).map(|(_, e)| e - offset).unwrap_or(0)
    }

    pub fn contains(&self, offset: u64) -> bool {
        self.contiguous_from(offset) > 0
    }

    /// The first missing byte at or after `from`, below `total` when known.
    pub fn next_missing(&self, from: u64, total: Option<u64>) -> Option<u64> {
        let mut at = from;
        for &(s, e) in &self.0 {
            if s <= at && at < e {
                at = e;
            }
        }
        match total {
            Some(total) if at >= total => None,
            _ => Some(at),
        }
    }

    /// Where the next range that is already there starts, after `offset`.
    pub fn next_present(&self, offset: u64) -> Option<u64> {
        self.0.iter().map(|(s, _)| *s).find(|s| *s > offset)
    }

    /// Where the last range ends (0 when there is none).
    pub fn end(&self) -> u64 {
        self.0.last().map_or(0, |&(_, end)| end)
    }

    pub fn covered(&self) -> u64 {
        self.0.iter().map(|(s, e)| e - s).sum()
    }

    pub fn covers(&self, total: u64) -> bool {
        total == 0 || self.0.first().is_some_and(|(s, e)| *s == 0 && *e >= total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge_and_find_gaps() {
        let mut set = RangeSet::default();
        set.insert(0, 10);
        set.insert(20, 30);
        set.insert(10, 15);
        assert_eq!(set.0, vec![(0, 15), (20, 30)]);
        assert_eq!(set.end(), 30);
        assert_eq!(set.next_missing(0, Some(30)), Some(15));
        assert_eq!(set.next_missing(20, Some(30)), None);
        assert_eq!(set.contiguous_from(5), 10);
        set.insert(14, 21);
        assert!(set.covers(30));
        assert_eq!(set.covered(), 30);
    }
}
