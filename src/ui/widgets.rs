//! Small pieces shared by the views.

use eframe::egui;

use super::{ArtSlot, ArtStore};

/// Gives a widget its accessible name (kittest and screen readers find it by this).
pub trait Labelled {
    fn labelled(self, role: egui::Role, label: &str) -> Self;
}

impl Labelled for egui::Response {
    fn labelled(self, role: egui::Role, label: &str) -> Self {
        let enabled = self.enabled();
        self.widget_info(|| egui::WidgetInfo::labeled(role, enabled, label));
        self
    }
}

/// The whole text as a tooltip, only where a truncating button cut it: a tooltip on every row
/// would open (and animate) under a pointer merely resting on the list.
pub fn full_text_if_cut(ui: &egui::Ui, response: egui::Response, text: &str) -> egui::Response {
    let font = egui::TextStyle::Button.resolve(ui.style());
    let width = ui.painter().layout_no_wrap(text.to_string(), font, ui.visuals().text_color()).size().x;
    // A button that fits its text is as wide as the text and its padding.
    let room = response.rect.width() - 2.0 * ui.spacing().button_padding.x;
    if width > room + 1.0 { response.on_hover_text(text) } else { response }
}

/// Show art at `size`, or a placeholder tile with the show's initial while it loads or
/// when there is none.
pub fn art(ui: &mut egui::Ui, art: &ArtStore, url: Option<&str>, title: &str, size: f32) -> egui::Response {
    let ready = |slots: &std::collections::HashMap<String, ArtSlot>| match url.and_then(|u| slots.get(u)) {
        Some(ArtSlot::Ready(texture)) => Some(texture.clone()),
        _ => None,
    };
    // Drawn large, the header size is used once it is there; the thumbnail stands in meanwhile.
    let large = (size > crate::net::art::THUMBNAIL_PX as f32).then(|| ready(&art.large)).flatten();
    if let Some(url) = url {
        art.drawn_without(url);
    }
    if let Some(texture) = large.or_else(|| ready(&art.thumbnails)) {
        return ui.add(
            egui::Image::from_texture(&texture).fit_to_exact_size(egui::vec2(size, size)).corner_radius(size / 16.0),
        );
    }
    let (rect, response) = ui.allocate_exact_size(egui::vec2(size, size), egui::Sense::hover());
    let painter = ui.painter();
    let hue = title.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32)) % 360;
    let color = egui::ecolor::Hsva::new(hue as f32 / 360.0, 0.45, 0.55, 1.0);
    painter.rect_filled(rect, size / 16.0, color);
    let initial = title.chars().find(|c| c.is_alphanumeric()).unwrap_or('?').to_uppercase().to_string();
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        initial,
        egui::FontId::proportional(size * 0.5),
        egui::Color32::WHITE,
    );
    response
}

/// Text in one line of the room there is, painted (no widget of its own: the row it is part of
/// is the control); true when it had to be cut.
pub fn painted_line(ui: &mut egui::Ui, text: egui::RichText) -> bool {
    let galley = egui::WidgetText::from(text).into_galley(
        ui,
        Some(egui::TextWrapMode::Truncate),
        ui.available_width(),
        egui::TextStyle::Body,
    );
    let (rect, _) = ui.allocate_exact_size(galley.size(), egui::Sense::hover());
    let cut = galley.elided;
    ui.painter().galley(rect.min, galley, ui.visuals().text_color());
    cut
}

pub fn date(published: Option<chrono::DateTime<chrono::Utc>>) -> String {
    published.map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_default()
}

/// "21 January 2017", as an episode page shows it.
pub fn long_date(published: Option<chrono::DateTime<chrono::Utc>>) -> String {
    published.map(|d| d.format("%-d %B %Y").to_string()).unwrap_or_default()
}

/// A window over the main one, centred on it where it first opens (it can be moved), not
/// collapsible: the one dialog open at a time. Never wider or taller than the window; a tall
/// one puts its contents in `fitted`.
pub fn dialog<'open>(ctx: &egui::Context, title: &str) -> egui::Window<'open> {
    let room = ctx.content_rect().shrink(DIALOG_MARGIN);
    egui::Window::new(title.to_string())
        .collapsible(false)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .constrain(true)
        .max_size(room.size())
}

/// Room kept between a dialog and the window's edge.
const DIALOG_MARGIN: f32 = 16.0;
/// A dialog's title bar and frame, above and around its contents.
const DIALOG_CHROME: f32 = 56.0;

/// A dialog's contents at their own height while the window has room for them, scrolling
/// when it has not (a short window, a large text scale).
pub fn fitted<R>(ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    let room = ui.ctx().content_rect().height() - 2.0 * DIALOG_MARGIN - DIALOG_CHROME;
    egui::ScrollArea::vertical().max_height(room.max(80.0)).auto_shrink([true, true]).show(ui, add).inner
}
