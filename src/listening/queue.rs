//! Up Next: the edits a listener makes to it, on the queue's order alone.

use crate::model::EpisodeId;

#[derive(Debug, Clone, PartialEq)]
pub enum QueueEdit {
    /// At the end (where it is, if it is there already).
    Add(EpisodeId),
    /// First.
    PlayNext(EpisodeId),
    Remove(EpisodeId),
    /// One place up or down.
    Move {
        episode: EpisodeId,
        up: bool,
    },
    /// These first, in this order (`hark play EP1 EP2 …`).
    PutFirst(Vec<EpisodeId>),
}

pub fn apply(queue: &mut Vec<EpisodeId>, edit: QueueEdit) {
    match edit {
        QueueEdit::Add(id) => {
            if !queue.contains(&id) {
                queue.push(id);
            }
        }
        QueueEdit::PlayNext(id) => {
            queue.retain(|e| *e != id);
            queue.insert(0, id);
        }
        QueueEdit::Remove(id) => queue.retain(|e| *e != id),
        QueueEdit::Move { episode, up } => {
            if let Some(at) = queue.iter().position(|e| *e == episode) {
                let to = if up { at.checked_sub(1) } else { Some(at + 1).filter(|t| *t < queue.len()) };
                if let Some(to) = to {
                    queue.swap(at, to);
                }
            }
        }
        QueueEdit::PutFirst(first) => {
            queue.retain(|e| !first.contains(e));
            queue.splice(0..0, first);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(raw: &[i64]) -> Vec<EpisodeId> {
        raw.iter().copied().map(EpisodeId).collect()
    }

    #[test]
    fn edits_keep_each_episode_once_and_in_the_asked_order() {
        let mut queue = ids(&[1, 2, 3]);
        apply(&mut queue, QueueEdit::Add(EpisodeId(2)));
        assert_eq!(queue, ids(&[1, 2, 3]));
        apply(&mut queue, QueueEdit::PlayNext(EpisodeId(3)));
        assert_eq!(queue, ids(&[3, 1, 2]));
        apply(&mut queue, QueueEdit::Move { episode: EpisodeId(3), up: true });
        assert_eq!(queue, ids(&[3, 1, 2]), "the first cannot move up");
        apply(&mut queue, QueueEdit::Move { episode: EpisodeId(1), up: false });
        assert_eq!(queue, ids(&[3, 2, 1]));
        apply(&mut queue, QueueEdit::PutFirst(ids(&[1, 4])));
        assert_eq!(queue, ids(&[1, 4, 3, 2]));
        apply(&mut queue, QueueEdit::Remove(EpisodeId(4)));
        assert_eq!(queue, ids(&[1, 3, 2]));
    }
}
