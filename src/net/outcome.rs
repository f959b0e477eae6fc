//! What a refresh of many podcasts came to, decided once: the window's notice and the CLI's
//! error line both say `RefreshOutcome::summary`.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// Every feed answered.
    Refreshed { podcasts: usize, added: usize },
    /// Some feeds failed, each for a reason of its own (kept on the show); the others answered.
    SomeFailed { podcasts: usize, failed: usize, added: usize },
    /// Every one of several feeds failed: the network, not the feeds. Offline is a state, not a
    /// storm of errors, so it is said once.
    Offline { podcasts: usize },
}

impl RefreshOutcome {
    /// `podcasts` refreshed, `failed` of them failed, `added` new episodes from the others.
    pub fn of(podcasts: usize, failed: usize, added: usize) -> Self {
        match failed {
            0 => Self::Refreshed { podcasts, added },
            // One show failing says nothing about the network.
            all if all == podcasts && podcasts > 1 => Self::Offline { podcasts },
            failed => Self::SomeFailed { podcasts, failed, added },
        }
    }

    pub fn summary(&self) -> String {
        match *self {
            Self::Refreshed { podcasts, added } => format!("Refreshed {podcasts} podcasts: {added} new episodes"),
            Self::SomeFailed { podcasts, failed, .. } => {
                format!("{failed} of {podcasts} podcasts could not be refreshed")
            }
            Self::Offline { podcasts } => {
                format!("Couldn't reach any of your {podcasts} podcasts — are you offline?")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RefreshOutcome;

    #[test]
    fn all_of_several_failing_is_offline_and_one_failing_is_not() {
        assert_eq!(RefreshOutcome::of(3, 3, 0), RefreshOutcome::Offline { podcasts: 3 });
        assert_eq!(RefreshOutcome::of(1, 1, 0), RefreshOutcome::SomeFailed { podcasts: 1, failed: 1, added: 0 });
        assert_eq!(RefreshOutcome::of(3, 2, 4), RefreshOutcome::SomeFailed { podcasts: 3, failed: 2, added: 4 });
        assert_eq!(RefreshOutcome::of(3, 0, 4), RefreshOutcome::Refreshed { podcasts: 3, added: 4 });
        assert_eq!(RefreshOutcome::of(0, 0, 0), RefreshOutcome::Refreshed { podcasts: 0, added: 0 });
    }
}
