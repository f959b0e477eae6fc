//! Rules the window and the CLI share, checked from both ends: the same library in the same
//! state gets the same answer from each.

use hark::library::Library;
use hark::library::keys::PARALLEL_DOWNLOADS;

#[test]
fn the_parallel_downloads_setting_is_read_within_range() {
    let mut library = Library::in_memory().unwrap();
    assert_eq!(hark::net::parallel_downloads(&library).unwrap(), 3, "the default");
    for (stored, read) in [("5", 5), (" 7 ", 7), ("0", 1), ("99", 10), ("-2", 3), ("many", 3)] {
        library.set_setting(PARALLEL_DOWNLOADS, stored).unwrap();
        assert_eq!(hark::net::parallel_downloads(&library).unwrap(), read, "stored {stored:?}");
    }
}
