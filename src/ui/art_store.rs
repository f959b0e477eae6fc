//! The art the window holds as textures, and which it still has to ask for.

use std::cell::RefCell;
use std::collections::HashMap;

use eframe::egui;

pub enum ArtSlot {
    Loading,
    Ready(egui::TextureHandle),
    Missing,
}

/// Art as textures: every picture a list shows as a thumbnail, and the header size only for
/// the few drawn large (the selected show, pictures in the open notes), the oldest of those
/// let go past `LARGE_ART_KEPT`. A hundred shows' headers would be 140 MB of pixels.
#[derive(Default)]
pub struct ArtStore {
    pub thumbnails: HashMap<String, ArtSlot>,
    pub large: HashMap<String, ArtSlot>,
    /// Header-size art in the order it was asked for.
    large_order: Vec<String>,
    /// Thumbnails drawn this frame that nobody has asked for yet: a list of a thousand shows
    /// fetches and holds the art of the rows in view, not of all of them.
    drawn_without: RefCell<Vec<String>>,
}

impl ArtStore {
    pub const LARGE_ART_KEPT: usize = 12;

    pub fn slots(&self, size: crate::net::ArtSize) -> &HashMap<String, ArtSlot> {
        match size {
            crate::net::ArtSize::Thumbnail => &self.thumbnails,
            crate::net::ArtSize::Header => &self.large,
        }
    }

    /// Marks `url` as loading at `size` unless it is there or on its way; true when it must be
    /// fetched.
    pub fn want(&mut self, url: &str, size: crate::net::ArtSize) -> bool {
        match size {
            crate::net::ArtSize::Thumbnail => {
                if self.thumbnails.contains_key(url) {
                    return false;
                }
                self.thumbnails.insert(url.to_string(), ArtSlot::Loading);
            }
            crate::net::ArtSize::Header => {
                self.large_order.retain(|u| u != url);
                self.large_order.push(url.to_string());
                while self.large_order.len() > Self::LARGE_ART_KEPT {
                    let oldest = self.large_order.remove(0);
                    self.large.remove(&oldest);
                }
                if self.large.contains_key(url) {
                    return false;
                }
                self.large.insert(url.to_string(), ArtSlot::Loading);
            }
        }
        true
    }

    /// A thumbnail was drawn with no art there and none asked for: the app asks after the frame.
    pub fn drawn_without(&self, url: &str) {
        if !self.thumbnails.contains_key(url) {
            self.drawn_without.borrow_mut().push(url.to_string());
        }
    }

    /// The thumbnails drawn without art since the last call, for the app to fetch.
    pub fn take_drawn_without(&mut self) -> Vec<String> {
        std::mem::take(self.drawn_without.get_mut())
    }

    /// What arrived (or failed); dropped when it was let go meanwhile.
    pub fn arrived(&mut self, url: String, size: crate::net::ArtSize, slot: ArtSlot) {
        let slots = match size {
            crate::net::ArtSize::Thumbnail => &mut self.thumbnails,
            crate::net::ArtSize::Header => &mut self.large,
        };
        if let Some(held) = slots.get_mut(&url) {
            *held = slot;
        }
    }
}
