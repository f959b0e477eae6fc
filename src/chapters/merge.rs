//! One list out of several sources. Chapters are never mixed from different lists (two sources
//! rarely agree on where a chapter starts, and a list of both would have near-duplicates): the
//! best source is taken whole, and only what its chapters lack is borrowed from the others.

use super::{Chapter, tidy};

/// How far apart two sources' starts may be and still mean the same chapter: encoders round
/// differently, and ID3 chapters are in milliseconds where notes are in whole seconds.
const SAME_CHAPTER_SECS: f64 = 1.0;

/// The merged list: the best source whole (the first non-empty list in `ChapterSource` order:
/// Json, else Id3, else Mp4, else Psc, else Notes; a list ranks by its best chapter's source, and
/// the order of `sources` does not matter), with a missing title, image or url filled from
/// another list's chapter whose start is within `SAME_CHAPTER_SECS`: the better source first,
/// within it the nearest start. Sorted and cut as every source; starts that are not finite and
/// non-negative are dropped (lists read elsewhere, such as the audio's tags, come through here).
pub fn merge(sources: &[Vec<Chapter>]) -> Vec<Chapter> {
    let mut ranked: Vec<(usize, &Vec<Chapter>)> =
        sources.iter().enumerate().filter(|(_, list)| !list.is_empty()).collect();
    // Stable: of two lists from the same source, the one given first wins.
    ranked.sort_by_key(|(_, list)| list.iter().map(|chapter| chapter.source).min());
    let Some(&(best, _)) = ranked.first() else {
        return Vec::new();
    };
    let usable = |chapter: &&Chapter| chapter.start_secs.is_finite() && chapter.start_secs >= 0.0;
    let mut merged = tidy(sources[best].iter().filter(usable).cloned().collect());

    // The other lists, best first, each sorted by start so the chapters near a start are found by
    // binary search.
    let donors: Vec<Vec<&Chapter>> = ranked[1..]
        .iter()
        .map(|(_, list)| {
            let mut sorted: Vec<&Chapter> = list.iter().filter(usable).collect();
            sorted.sort_by(|a, b| a.start_secs.total_cmp(&b.start_secs));
            sorted
        })
        .collect();
    if donors.is_empty() {
        return merged;
    }
    for chapter in &mut merged {
        let start = chapter.start_secs;
        if chapter.title.is_empty()
            && let Some(title) = borrowed(&donors, start, |donor| Some(&donor.title).filter(|title| !title.is_empty()))
        {
            chapter.title = title.clone();
        }
        if chapter.image.is_none() {
            chapter.image = borrowed(&donors, start, |donor| donor.image.as_ref()).cloned();
        }
        if chapter.url.is_none() {
            chapter.url = borrowed(&donors, start, |donor| donor.url.as_ref()).cloned();
        }
    }
    merged
}

/// The field `pick` finds on the chapter nearest to `start` (within `SAME_CHAPTER_SECS`) of the
/// first donor list that has one there.
fn borrowed<'a, T>(
    donors: &[Vec<&'a Chapter>],
    start: f64,
    pick: impl Fn(&'a Chapter) -> Option<&'a T>,
) -> Option<&'a T> {
    donors.iter().find_map(|donor| {
        let first = donor.partition_point(|chapter| chapter.start_secs < start - SAME_CHAPTER_SECS);
        donor[first..]
            .iter()
            .take_while(|chapter| chapter.start_secs <= start + SAME_CHAPTER_SECS)
            .filter_map(|&chapter| Some(((chapter.start_secs - start).abs(), pick(chapter)?)))
            .min_by(|(a, _), (b, _)| a.total_cmp(b))
            .map(|(_, value)| value)
    })
}

#[cfg(test)]
mod tests {
    use super::super::{ChapterSource, MAX_CHAPTERS};
    use super::*;

    fn chapter(start_secs: f64, title: &str, source: ChapterSource) -> Chapter {
        Chapter { start_secs, end_secs: None, title: title.into(), url: None, image: None, listed: true, source }
    }

    fn list(source: ChapterSource, chapters: &[(f64, &str)]) -> Vec<Chapter> {
        chapters.iter().map(|&(start, title)| chapter(start, title, source)).collect()
    }

    fn titles(chapters: &[Chapter]) -> Vec<&str> {
        chapters.iter().map(|c| c.title.as_str()).collect()
    }

    #[test]
    fn the_best_source_is_taken_whole() {
        let json = list(ChapterSource::Json, &[(0.0, "J intro"), (60.0, "J news")]);
        let id3 = list(ChapterSource::Id3, &[(0.0, "I intro"), (30.0, "I extra"), (60.0, "I news")]);
        let psc = list(ChapterSource::Psc, &[(0.0, "P intro"), (90.0, "P end")]);
        let notes = list(ChapterSource::Notes, &[(0.0, "N"), (10.0, "N"), (20.0, "N")]);
        // Whatever order they are handed over in.
        for sources in [
            vec![json.clone(), id3.clone(), psc.clone()],
            vec![psc.clone(), id3.clone(), json.clone()],
            vec![Vec::new(), notes.clone(), psc.clone(), json.clone(), id3.clone()],
        ] {
            assert_eq!(merge(&sources), json);
        }
        assert_eq!(titles(&merge(&[psc.clone(), id3.clone()])), ["I intro", "I extra", "I news"]);
        let mp4 = list(ChapterSource::Mp4, &[(5.0, "M")]);
        assert_eq!(titles(&merge(&[notes.clone(), psc.clone(), mp4])), ["M"]);
        assert_eq!(merge(&[notes.clone(), psc.clone()]), psc);
        assert_eq!(merge(std::slice::from_ref(&notes)), notes);
        assert_eq!(merge(&[Vec::new(), notes.clone(), Vec::new()]), notes);
        assert!(merge(&[]).is_empty());
        assert!(merge(&[Vec::new(), Vec::new()]).is_empty());
    }

    #[test]
    fn a_missing_image_is_borrowed_within_a_second_only() {
        let json = list(ChapterSource::Json, &[(0.0, "Intro"), (60.0, "News"), (120.0, "Mail")]);
        let mut id3 = list(ChapterSource::Id3, &[(0.4, "i"), (61.0, "n"), (122.0, "m")]);
        for (chapter, image) in
            id3.iter_mut().zip(["https://e.com/0.jpg", "https://e.com/1.jpg", "https://e.com/2.jpg"])
        {
            chapter.image = Some(image.into());
        }
        let merged = merge(&[json.clone(), id3]);
        let images: Vec<Option<&str>> = merged.iter().map(|c| c.image.as_deref()).collect();
        // 0.4 s and exactly 1 s apart: the same chapter; 2 s apart: not.
        assert_eq!(images, [Some("https://e.com/0.jpg"), Some("https://e.com/1.jpg"), None]);
        assert_eq!(titles(&merged), ["Intro", "News", "Mail"]); // titles present are kept
        assert!(merged.iter().all(|c| c.source == ChapterSource::Json));
    }

    #[test]
    fn fields_are_borrowed_from_the_better_source_then_the_nearest_start() {
        let mut json = list(ChapterSource::Json, &[(100.0, ""), (200.0, "Has title")]);
        json[1].image = Some("https://e.com/own.jpg".into());
        let mut id3 = list(ChapterSource::Id3, &[(99.2, "id3 far"), (100.1, ""), (199.5, "id3")]);
        id3[0].url = Some("https://e.com/far".into());
        id3[1].url = Some("https://e.com/near".into());
        id3[2].image = Some("https://e.com/id3.jpg".into());
        let mut psc = list(ChapterSource::Psc, &[(100.0, "psc title")]);
        psc[0].image = Some("https://e.com/psc.jpg".into());
        let merged = merge(&[psc, id3, json]);
        // Title: id3's nearest chapter has none, its other one within a second does.
        assert_eq!(merged[0].title, "id3 far");
        assert_eq!(merged[0].url.as_deref(), Some("https://e.com/near"));
        // Image: id3 has none near 100, so psc's.
        assert_eq!(merged[0].image.as_deref(), Some("https://e.com/psc.jpg"));
        assert_eq!(merged[1].image.as_deref(), Some("https://e.com/own.jpg"));
        assert_eq!(merged[1].url, None);
    }

    #[test]
    fn lists_from_elsewhere_are_sorted_checked_and_cut() {
        let mut id3 = list(ChapterSource::Id3, &[(30.0, "b"), (f64::NAN, "nan"), (-1.0, "negative"), (0.0, "a")]);
        id3.extend((0..MAX_CHAPTERS).map(|i| chapter(100.0 + i as f64, "many", ChapterSource::Id3)));
        let merged = merge(&[id3]);
        assert_eq!(merged.len(), MAX_CHAPTERS);
        assert_eq!(titles(&merged[..3]), ["a", "b", "many"]);
        assert!(merged.windows(2).all(|pair| pair[0].start_secs <= pair[1].start_secs));
    }
}
