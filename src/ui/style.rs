//! How the window reads: text sizes a listener reads without leaning in (body 14 px, nothing
//! under 12 px), and text colours with at least WCAG AA contrast (4.5:1) on every surface they
//! are drawn on, in the light theme and the dark one.

use eframe::egui::{self, Color32, FontId, TextStyle, Theme, Visuals};

/// Text sizes in logical pixels.
pub const BODY: f32 = 14.0;
pub const SMALL: f32 = 12.0;
pub const HEADING: f32 = 20.0;
pub const MONOSPACE: f32 = 13.0;

/// WCAG AA for body text.
pub const MIN_CONTRAST: f32 = 4.5;

/// Sets the sizes and the colours, for both themes.
pub fn apply(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (TextStyle::Heading, FontId::proportional(HEADING)),
            (TextStyle::Body, FontId::proportional(BODY)),
            (TextStyle::Button, FontId::proportional(BODY)),
            (TextStyle::Small, FontId::proportional(SMALL)),
            (TextStyle::Monospace, FontId::monospace(MONOSPACE)),
        ]
        .into();
    });
    for theme in [Theme::Dark, Theme::Light] {
        ctx.style_mut_of(theme, |style| {
            readable(&mut style.visuals, theme);
            focus_ring(&mut style.visuals, theme);
        });
    }
}

/// UI components need 3:1 against what is next to them (WCAG 1.4.11).
pub const MIN_FOCUS_CONTRAST: f32 = 3.0;

/// Keyboard focus is always visible: egui outlines the focused widget with its `active` stroke,
/// and the list row (or pane) that has the keys takes the same outline. Two pixels in an accent
/// colour, so it reads apart from a hovered row's fill and from the thin grey edges.
fn focus_ring(visuals: &mut Visuals, theme: Theme) {
    let color = match theme {
        Theme::Dark => Color32::from_rgb(120, 180, 255),
        Theme::Light => Color32::from_rgb(0, 85, 180),
    };
    visuals.widgets.active.bg_stroke = egui::Stroke::new(2.0, color);
}

/// The surfaces the focus ring is drawn on: the panels, windows, a selected row, a hovered one.
pub fn focus_pairs(visuals: &Visuals) -> Vec<(&'static str, Color32, Color32)> {
    let ring = visuals.widgets.active.bg_stroke.color;
    vec![
        ("panel", ring, visuals.panel_fill),
        ("window", ring, visuals.window_fill),
        ("selected row", ring, over(visuals.selection.bg_fill, visuals.panel_fill)),
        ("hovered row", ring, over(visuals.widgets.hovered.weak_bg_fill, visuals.panel_fill)),
    ]
}

/// The colours egui's themes draw text in, moved where they lacked contrast: weak text (dates,
/// hints), warnings, errors and links.
fn readable(visuals: &mut Visuals, theme: Theme) {
    match theme {
        Theme::Dark => {
            visuals.widgets.noninteractive.fg_stroke.color = Color32::from_gray(190);
            visuals.weak_text_color = Some(Color32::from_gray(150));
            visuals.warn_fg_color = Color32::from_rgb(255, 170, 60);
            visuals.error_fg_color = Color32::from_rgb(255, 120, 110);
            visuals.hyperlink_color = Color32::from_rgb(120, 180, 255);
        }
        Theme::Light => {
            visuals.widgets.noninteractive.fg_stroke.color = Color32::from_gray(40);
            visuals.weak_text_color = Some(Color32::from_gray(95));
            visuals.warn_fg_color = Color32::from_rgb(150, 80, 0);
            visuals.error_fg_color = Color32::from_rgb(180, 20, 20);
            visuals.hyperlink_color = Color32::from_rgb(0, 85, 180);
        }
    }
}

/// Every (name, text colour, surface) pair the window draws text with.
pub fn text_pairs(visuals: &Visuals) -> Vec<(String, Color32, Color32)> {
    let surfaces =
        [("panel", visuals.panel_fill), ("window", visuals.window_fill), ("text field", visuals.text_edit_bg_color())];
    let texts = [
        ("text", visuals.text_color()),
        ("weak text", visuals.weak_text_color()),
        ("strong text", visuals.strong_text_color()),
        ("warning", visuals.warn_fg_color),
        ("error", visuals.error_fg_color),
        ("link", visuals.hyperlink_color),
    ];
    let mut pairs: Vec<(String, Color32, Color32)> = surfaces
        .iter()
        .flat_map(|(surface, bg)| texts.iter().map(move |(text, fg)| (format!("{text} on {surface}"), *fg, *bg)))
        .collect();
    // Buttons: their label on their own fill, at rest and under the pointer; a selected row.
    for (state, widget) in [("button", &visuals.widgets.inactive), ("hovered button", &visuals.widgets.hovered)] {
        pairs.push((state.to_string(), widget.text_color(), over(widget.weak_bg_fill, visuals.panel_fill)));
    }
    pairs.push((
        "selected".to_string(),
        visuals.selection.stroke.color,
        over(visuals.selection.bg_fill, visuals.panel_fill),
    ));
    pairs
}

/// `fg` as it shows over `bg` (egui's colours are premultiplied).
fn over(fg: Color32, bg: Color32) -> Color32 {
    let keep = 1.0 - fg.a() as f32 / 255.0;
    let mix = |f: u8, b: u8| (f as f32 + b as f32 * keep).round().min(255.0) as u8;
    Color32::from_rgb(mix(fg.r(), bg.r()), mix(fg.g(), bg.g()), mix(fg.b(), bg.b()))
}

/// The WCAG contrast ratio of `fg` drawn over `bg`.
pub fn contrast(fg: Color32, bg: Color32) -> f32 {
    let luminance = |c: Color32| {
        let channel = |v: u8| {
            let v = v as f32 / 255.0;
            if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
    };
    let (a, b) = (luminance(over(fg, bg)), luminance(bg));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_is_measured_as_wcag_does() {
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
        assert!((contrast(Color32::from_gray(118), Color32::WHITE) - 4.54).abs() < 0.05);
        assert!((contrast(Color32::WHITE, Color32::WHITE) - 1.0).abs() < 0.001);
    }

    #[test]
    fn every_text_colour_reads_on_every_surface_in_both_themes() {
        let ctx = egui::Context::default();
        apply(&ctx);
        for theme in [Theme::Dark, Theme::Light] {
            let visuals = ctx.style_of(theme).visuals.clone();
            for (what, fg, bg) in text_pairs(&visuals) {
                let ratio = contrast(fg, bg);
                assert!(ratio >= MIN_CONTRAST, "{theme:?}: {what} is {ratio:.2}:1 ({fg:?} on {bg:?})");
            }
        }
    }

    #[test]
    fn the_focus_ring_stands_out_wherever_it_is_drawn_in_both_themes() {
        let ctx = egui::Context::default();
        apply(&ctx);
        for theme in [Theme::Dark, Theme::Light] {
            let visuals = ctx.style_of(theme).visuals.clone();
            let ring = visuals.widgets.active.bg_stroke;
            assert!(ring.width >= 2.0, "{theme:?}: the ring is {} px", ring.width);
            assert_ne!(ring.color, visuals.widgets.hovered.bg_stroke.color, "{theme:?}: apart from hover");
            for (surface, fg, bg) in focus_pairs(&visuals) {
                let ratio = contrast(fg, bg);
                assert!(ratio >= MIN_FOCUS_CONTRAST, "{theme:?}: the ring on a {surface} is {ratio:.2}:1");
            }
        }
    }

    #[test]
    fn no_text_style_is_under_twelve_pixels_and_body_text_is_fourteen() {
        let ctx = egui::Context::default();
        apply(&ctx);
        for theme in [Theme::Dark, Theme::Light] {
            let style = ctx.style_of(theme);
            assert!(style.text_styles.values().all(|font| font.size >= SMALL), "{theme:?}");
            assert_eq!(style.text_styles[&TextStyle::Body].size, BODY);
        }
    }
}
