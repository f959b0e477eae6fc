//! How the listener wants an episode to sound, as plain values the library stores.

/// How much of each pause skip silence keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum SilenceLevel {
    #[default]
    Off,
    Mild,
    Medium,
    Strong,
}

impl SilenceLevel {
    pub const ALL: [SilenceLevel; 4] =
        [SilenceLevel::Off, SilenceLevel::Mild, SilenceLevel::Medium, SilenceLevel::Strong];

    pub fn name(self) -> &'static str {
        match self {
            SilenceLevel::Off => "off",
            SilenceLevel::Mild => "mild",
            SilenceLevel::Medium => "medium",
            SilenceLevel::Strong => "strong",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|level| level.name().eq_ignore_ascii_case(text.trim()))
    }
}
