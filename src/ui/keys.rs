//! The keyboard: the transport's keys, and the lists the keys drive.
//!
//! One pane has the keys at a time: the shows (the sidebar, the Inbox above them), the episodes
//! (the show's list, or the Inbox in its place) or the episode page. In a list, Up/Down,
//! PageUp/PageDown and Home/End move the selection, Enter plays (in the sidebar: opens the show
//! and moves into its episodes), Tab/Shift+Tab go to the next/previous pane. Arriving on the
//! episode page gives its Play button egui's focus; from a focused widget Tab walks egui's own
//! ring over every button, box and menu of the window, arrows move between neighbours, Enter
//! presses, and Esc gives the keys back to the panes. A click in a pane gives it the keys.

use eframe::egui::{self, Key, Modifiers};

use super::{Action, Command, UiState, bookmarks};
use crate::model::{EpisodeId, PodcastId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    Shows,
    #[default]
    Episodes,
    Page,
}

impl Pane {
    const ALL: [Pane; 3] = [Pane::Shows, Pane::Episodes, Pane::Page];
}

/// A row of the sidebar: the Inbox above the shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SidebarRow {
    Inbox,
    Show(PodcastId),
}

/// Which pane has the keys, and where its lists stand (view state).
#[derive(Debug, Default)]
pub struct KeyFocus {
    pub pane: Pane,
    /// The sidebar row the keys moved to; None: the show (or the Inbox) that is open.
    pub sidebar: Option<SidebarRow>,
    pub shows: ListFrame,
    /// The Episodes pane's list: the show's episodes or the Inbox.
    pub episodes: ListFrame,
    /// Tab reached the episode page: its Play button takes egui's focus when next drawn.
    pub focus_page: bool,
    /// Where each pane was drawn last frame, in `Pane::ALL`'s order (a click there gives it the
    /// keys).
    pub rects: Option<[egui::Rect; 3]>,
}

impl KeyFocus {
    /// Whether `pane`'s list takes the keys now: it has them and no widget holds egui's focus.
    pub fn drives(&self, ui: &egui::Ui, pane: Pane) -> bool {
        self.pane == pane && ui.memory(|m| m.focused().is_none())
    }

    /// The sidebar row the keys are on.
    pub fn sidebar_row(&self, inbox_open: bool, selected: Option<PodcastId>) -> Option<SidebarRow> {
        self.sidebar.or(if inbox_open { Some(SidebarRow::Inbox) } else { selected.map(SidebarRow::Show) })
    }
}

/// A list drawn with `ScrollArea::show_rows` as the keys see it: how tall it was last drawn and
/// a row to bring into view.
#[derive(Debug, Default, Clone, Copy)]
pub struct ListFrame {
    height: f32,
    reveal: Option<usize>,
}

impl ListFrame {
    /// Draws `total` rows of `row_height` (only those in view). Each `salt` keeps its own scroll
    /// position; a row to reveal is scrolled to just far enough to show it whole.
    pub fn show_rows<R>(
        &mut self,
        ui: &mut egui::Ui,
        salt: impl egui::AsIdSalt + Copy,
        row_height: f32,
        total: usize,
        add: impl FnOnce(&mut egui::Ui, std::ops::Range<usize>) -> R,
    ) -> egui::scroll_area::ScrollAreaOutput<R> {
        let mut area = egui::ScrollArea::vertical().id_salt(salt).auto_shrink([false, false]);
        // The id the area keeps its state under (as `ScrollArea` makes it).
        let id = ui.make_persistent_id(egui::IdSalt::new(salt));
        if let Some(row) = self.reveal.take() {
            let pitch = row_height + ui.spacing().item_spacing.y;
            let offset = egui::scroll_area::State::load(ui.ctx(), id).map_or(0.0, |s| s.clamped_offset().y);
            let (top, bottom) = (row as f32 * pitch, row as f32 * pitch + row_height);
            if top < offset {
                area = area.vertical_scroll_offset(top);
            } else if bottom > offset + self.height {
                area = area.vertical_scroll_offset(bottom - self.height);
            }
        }
        let output = area.show_rows(ui, row_height, total, add);
        debug_assert_eq!(output.id, id, "the scroll state is read where the area keeps it");
        self.height = output.inner_rect.height();
        output
    }

    /// How many rows PageUp/PageDown move: as many as were in view.
    fn page(&self, row_height: f32) -> isize {
        ((self.height / row_height).floor() as isize).max(1)
    }
}

/// Whether the keys moved last (not the pointer): the outlines show only then, as a browser's
/// `:focus-visible` does, so a listener using the mouse sees no ring round the list. Kept in
/// the context's memory beside egui's own focus.
fn keys_visible_id() -> egui::Id {
    egui::Id::NULL.with("hark-keys-visible")
}

fn set_keys_visible(ui: &egui::Ui, visible: bool) {
    ui.data_mut(|d| d.insert_temp(keys_visible_id(), visible));
}

/// The outline of the list row (or pane) that has the keys: distinct from a hovered row's fill.
pub fn mark(ui: &egui::Ui, rect: egui::Rect) {
    if !ui.data(|d| d.get_temp::<bool>(keys_visible_id())).unwrap_or(false) {
        return;
    }
    let stroke = ui.visuals().widgets.active.bg_stroke;
    ui.painter().rect_stroke(rect, 3.0, stroke, egui::StrokeKind::Inside);
}

/// The global keys. Taken before any widget sees them (so Space does not also press a focused
/// button); the transport and list keys only while no text field is being typed into.
pub fn keyboard(ui: &egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    let typing = ui.ctx().egui_wants_keyboard_input();
    ui.input_mut(|input| {
        if input.consume_key(Modifiers::COMMAND, Key::Q) {
            actions.push(Action::Quit);
        }
        if input.consume_key(Modifiers::NONE, Key::F5) {
            actions.push(Action::Refresh(None));
        }
        if input.consume_key(Modifiers::COMMAND, Key::F) {
            state.find.focus = true;
        }
        if input.consume_key(Modifiers::COMMAND, Key::Comma) {
            actions.push(Action::OpenPreferences);
        }
        if !typing {
            transport(input, state, actions);
        }
    });
    click_gives_keys(ui, state);
    // A focused widget (a text field being typed into among them) keeps the keys for itself.
    if !super::any_dialog_open(state) && ui.memory(|m| m.focused().is_none()) {
        lists(ui, state, actions);
    }
}

fn transport(input: &mut egui::InputState, state: &UiState, actions: &mut Vec<Action>) {
    let t = &state.transport;
    // Volume on Ctrl+Up/Down and episodes on P/N (as VLC has them): plain arrows and Home/End
    // drive the lists.
    let bindings: [(Modifiers, Key, Action); 11] = [
        (Modifiers::NONE, Key::Space, Action::Listen(Command::Toggle)),
        (Modifiers::NONE, Key::ArrowLeft, Action::Listen(Command::SeekBy(-(t.rewind_secs as f64)))),
        (Modifiers::NONE, Key::ArrowRight, Action::Listen(Command::SeekBy(t.skip_secs as f64))),
        (Modifiers::NONE, Key::OpenBracket, Action::Listen(Command::SetSpeed(t.speed - crate::player::SPEED_STEP))),
        (Modifiers::NONE, Key::CloseBracket, Action::Listen(Command::SetSpeed(t.speed + crate::player::SPEED_STEP))),
        (Modifiers::COMMAND, Key::ArrowUp, Action::Listen(Command::SetVolume((t.volume + 0.05).min(1.0)))),
        (Modifiers::COMMAND, Key::ArrowDown, Action::Listen(Command::SetVolume((t.volume - 0.05).max(0.0)))),
        (Modifiers::NONE, Key::Comma, Action::Listen(Command::PreviousChapter)),
        (Modifiers::NONE, Key::Period, Action::Listen(Command::NextChapter)),
        (Modifiers::NONE, Key::P, Action::Listen(Command::Previous)),
        (Modifiers::NONE, Key::N, Action::Listen(Command::Next)),
    ];
    for (modifiers, key, action) in bindings {
        if input.consume_key(modifiers, key) {
            actions.push(action);
        }
    }
    if input.consume_key(Modifiers::NONE, Key::B) {
        actions.push(Action::Bookmarks(bookmarks::BookmarkAction::Add));
    }
    if input.consume_key(Modifiers::NONE, Key::Z) {
        actions.push(Action::Listen(Command::Sleep(next_sleep(t.sleep.map(|(mode, _)| mode)))));
    }
}

/// A press of the pointer in a pane gives that pane the keys.
fn click_gives_keys(ui: &egui::Ui, state: &mut UiState) {
    let pressed_at = ui.input(|i| i.pointer.any_pressed().then(|| i.pointer.interact_pos()).flatten());
    let Some(at) = pressed_at else { return };
    set_keys_visible(ui, false);
    let panes = state.keys.rects.unwrap_or([egui::Rect::NOTHING; 3]);
    if let Some(at) = panes.iter().position(|rect| rect.contains(at)) {
        state.keys.pane = Pane::ALL[at];
        state.keys.sidebar = None;
    }
}

/// What a list key asks for.
#[derive(Debug, Clone, Copy)]
enum Step {
    By(isize),
    Pages(isize),
    First,
    Last,
}

fn lists(ui: &egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    let (step, enter, tab) = ui.input_mut(|input| {
        // Before Tab: a plain key's pattern also matches it with Shift held.
        let back = input.count_and_consume_key(Modifiers::SHIFT, Key::Tab) as isize;
        let mut count = |key| input.count_and_consume_key(Modifiers::NONE, key) as isize;
        let step = match (count(Key::ArrowDown) - count(Key::ArrowUp), count(Key::PageDown) - count(Key::PageUp)) {
            (0, 0) => None,
            (0, pages) => Some(Step::Pages(pages)),
            (rows, _) => Some(Step::By(rows)),
        };
        let step = match (count(Key::Home), count(Key::End)) {
            (0, 0) => step,
            (_, 0) => Some(Step::First),
            _ => Some(Step::Last),
        };
        (step, count(Key::Enter) > 0, count(Key::Tab) - back)
    });
    if step.is_none() && !enter && tab == 0 {
        // Most frames: no list key, so no pass over the rows.
        return;
    }
    set_keys_visible(ui, true);
    if tab != 0 {
        // The panes replace egui's walk from widget to widget while a list has the keys.
        ui.memory_mut(|m| m.move_focus(egui::FocusDirection::None));
        next_pane(state, tab);
    }
    if step.is_some() {
        // Nor do the arrows move egui's focus.
        ui.memory_mut(|m| m.move_focus(egui::FocusDirection::None));
    }
    match state.keys.pane {
        Pane::Shows => sidebar(state, step, enter, actions),
        Pane::Episodes if state.inbox.open => {
            let rows: Vec<EpisodeId> = state.inbox.entries.iter().map(|e| e.episode.id).collect();
            episodes(state, &rows, super::inbox::ROW_HEIGHT, step, enter, actions);
        }
        Pane::Episodes => {
            let rows = state.episode_list.rows(&state.episodes, state.episodes_version);
            let rows: Vec<EpisodeId> = rows.iter().map(|&i| state.episodes[i].id).collect();
            episodes(state, &rows, super::episodes::ROW_HEIGHT, step, enter, actions);
        }
        Pane::Page => {
            if enter && let Some(page) = &state.episode_page {
                actions.push(Action::Listen(Command::Play { episode: page.episode.summary.id, from: None }));
            }
        }
    }
}

/// Tab (`by` > 0) or Shift+Tab (`by` < 0): the next pane round, the episode page only when one is
/// open; arriving there focuses its Play button.
fn next_pane(state: &mut UiState, by: isize) {
    let panes: Vec<Pane> =
        Pane::ALL.into_iter().filter(|pane| *pane != Pane::Page || state.episode_page.is_some()).collect();
    let at = panes.iter().position(|pane| *pane == state.keys.pane).unwrap_or(1);
    let pane = panes[(at as isize + by).rem_euclid(panes.len() as isize) as usize];
    state.keys.pane = pane;
    state.keys.sidebar = None;
    state.keys.focus_page = pane == Pane::Page;
}

/// Where `step` takes a selection at `current` in a list of `len` rows `page` rows tall.
fn moved(current: Option<usize>, len: usize, page: isize, step: Step) -> Option<usize> {
    let last = len.checked_sub(1)?;
    Some(match (step, current) {
        (Step::First, _) | (Step::By(_) | Step::Pages(_), None) => 0,
        (Step::Last, _) => last,
        (Step::By(rows), Some(at)) => at.saturating_add_signed(rows).min(last),
        (Step::Pages(pages), Some(at)) => at.saturating_add_signed(pages * page).min(last),
    })
}

/// The episode list (or the Inbox): a move opens the episode's page, Enter plays it.
fn episodes(
    state: &mut UiState,
    rows: &[EpisodeId],
    row_height: f32,
    step: Option<Step>,
    enter: bool,
    actions: &mut Vec<Action>,
) {
    let selected = state.episode_page.as_ref().map(|page| page.episode.summary.id);
    let current = selected.and_then(|id| rows.iter().position(|row| *row == id));
    if let Some(step) = step
        && let Some(at) = moved(current, rows.len(), state.keys.episodes.page(row_height), step)
    {
        state.keys.episodes.reveal = Some(at);
        actions.push(Action::SelectEpisode(rows[at]));
    }
    if enter && let Some(at) = current {
        actions.push(Action::Listen(Command::Play { episode: rows[at], from: None }));
    }
}

/// The sidebar: the keys move over the Inbox and the shows; Enter opens one and moves into it.
fn sidebar(state: &mut UiState, step: Option<Step>, enter: bool, actions: &mut Vec<Action>) {
    let row = |at: usize| match at {
        0 => SidebarRow::Inbox,
        at => SidebarRow::Show(state.podcasts[at - 1].id),
    };
    let current = state.keys.sidebar_row(state.inbox.open, state.selected_podcast).and_then(|on| match on {
        SidebarRow::Inbox => Some(0),
        SidebarRow::Show(id) => state.podcasts.iter().position(|p| p.id == id).map(|at| at + 1),
    });
    let page = state.keys.shows.page(super::podcasts::SHOW_ROW_HEIGHT);
    let moved_to = step.and_then(|step| moved(current, state.podcasts.len() + 1, page, step));
    if let Some(at) = moved_to {
        state.keys.sidebar = Some(row(at));
        // The Inbox sits above the list of shows.
        state.keys.shows.reveal = at.checked_sub(1);
    }
    if enter && let Some(at) = moved_to.or(current) {
        actions.push(match row(at) {
            SidebarRow::Inbox => Action::OpenInbox,
            SidebarRow::Show(id) => Action::SelectPodcast(id),
        });
        state.keys.pane = Pane::Episodes;
        state.keys.sidebar = None;
    }
}

/// What Z turns the sleep timer to: off → 15 → 30 → 60 minutes → end of episode → off.
fn next_sleep(now: Option<crate::listening::SleepMode>) -> Option<crate::listening::SleepMode> {
    use crate::listening::SleepMode;
    let minutes = |m: u64| Some(SleepMode::After(std::time::Duration::from_secs(m * 60)));
    match now {
        None => minutes(15),
        Some(SleepMode::After(d)) if d <= std::time::Duration::from_secs(15 * 60) => minutes(30),
        Some(SleepMode::After(d)) if d <= std::time::Duration::from_secs(30 * 60) => minutes(60),
        Some(SleepMode::After(_)) => Some(SleepMode::EndOfEpisode),
        Some(SleepMode::EndOfEpisode | SleepMode::EndOfChapter) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Step, moved};

    #[test]
    fn a_step_stays_inside_the_list_and_starts_from_the_top() {
        assert_eq!(moved(None, 0, 10, Step::By(1)), None, "an empty list has nothing to select");
        assert_eq!(moved(None, 50, 10, Step::By(1)), Some(0));
        assert_eq!(moved(Some(3), 50, 10, Step::By(-5)), Some(0));
        assert_eq!(moved(Some(3), 50, 10, Step::Pages(2)), Some(23));
        assert_eq!(moved(Some(45), 50, 10, Step::Pages(1)), Some(49));
        assert_eq!(moved(Some(45), 50, 10, Step::First), Some(0));
        assert_eq!(moved(None, 50, 10, Step::Last), Some(49));
    }
}
