//! The quirks of real-world feeds, each on a small feed written for it (tests/fixtures/feeds):
//! encodings, junk before the XML, odd dates, durations and enclosures, missing or repeated
//! guids, Atom, and the Podcasting 2.0 and Podlove tags. Every expected value is read off the
//! fixture by hand. Parsed through `hark::feed::parse_feed`, and, where what is stored matters,
//! subscribed over a loopback HTTP server. tests/feeds_corpus.rs runs the real feeds these
//! quirks come from, when the corpus is here.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::server::{Route, TestServer};
use hark::feed::parse_feed;
use hark::http;
use hark::library::Library;
use hark::model::{EpisodeSummary, NewEpisode, ParsedFeed, PodcastId, RemoteFeed, SyncReport, WebLink};
use hark::net::refresh;
use hark::notes::{Block, Document, Link};
use url::Url;

/// Where `parsed` pretends a fixture was fetched from: relative links resolve against it.
const FEED_URL: &str = "https://feeds.example.com/shows/feed.xml";

fn fixture(name: &str) -> Vec<u8> {
    common::fixture_bytes(&format!("feeds/{name}"))
}

fn parsed(name: &str) -> ParsedFeed {
    parse_feed(&fixture(name), &Url::parse(FEED_URL).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn titles(feed: &ParsedFeed) -> Vec<&str> {
    feed.episodes.iter().map(|e| e.title.as_str()).collect()
}

fn by_guid<'a>(feed: &'a ParsedFeed, guid: &str) -> &'a NewEpisode {
    feed.episodes.iter().find(|e| e.guid.as_deref() == Some(guid)).unwrap_or_else(|| panic!("no episode {guid}"))
}

fn utc(y: i32, month: u32, d: u32, h: u32, min: u32, s: u32) -> Option<DateTime<Utc>> {
    Some(Utc.with_ymd_and_hms(y, month, d, h, min, s).unwrap())
}

/// A library subscribed, as `hark subscribe` does, to a fixture served at `path` on 127.0.0.1.
struct Subscription {
    server: TestServer,
    library: Library,
    podcast: PodcastId,
    path: String,
}

impl Subscription {
    fn to(name: &str, path: &str) -> Self {
        common::init();
        let server = TestServer::start();
        server.set(path, Route::ok(fixture(name), "application/rss+xml"));
        let mut library = Library::in_memory().unwrap();
        common::subscribe(&mut library, &server.url(path));
        let podcast = library.podcasts().unwrap()[0].id;
        Self { server, library, podcast, path: path.to_string() }
    }

    fn title(&self) -> String {
        self.library.podcast(self.podcast).unwrap().title
    }

    /// Newest first, as every list shows them.
    fn episodes(&self) -> Vec<EpisodeSummary> {
        self.library.episodes(Some(self.podcast)).unwrap()
    }

    fn episode_titles(&self) -> Vec<String> {
        self.episodes().into_iter().map(|e| e.title).collect()
    }

    /// Serves `body` in place of the fixture and refreshes, as `hark refresh` does.
    fn refresh_with(&mut self, body: String) -> SyncReport {
        self.server.set(&self.path, Route::ok(body, "application/rss+xml"));
        let validators = self.library.validators(self.podcast).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let fetched =
            runtime.block_on(refresh::fetch_known(&http::client(), &self.server.url(&self.path), &validators));
        refresh::apply_refresh(&mut self.library, self.podcast, fetched).unwrap().result.unwrap()
    }
}

#[test]
fn iso_8859_1_declared_in_the_prolog_is_decoded() {
    let feed = parsed("iso-8859-1.xml");
    assert_eq!(feed.podcast.title, "Ràdio Café Crème");
    assert_eq!(feed.podcast.author.as_deref(), Some("Núria Ferrés"));
    assert_eq!(feed.podcast.description.as_deref(), Some("Cinéma, música i conversa, cada dissabte."));
    assert_eq!(feed.podcast.language.as_deref(), Some("ca"));
    assert_eq!(titles(&feed), ["Episodi 2: L'été à Perpinyà", "Episodi 1: Pel·lícules d'hivern"]);
    let published: Vec<_> = feed.episodes.iter().map(|e| e.published).collect();
    assert_eq!(published, [utc(2024, 3, 9, 7, 30, 0), utc(2024, 3, 2, 7, 30, 0)]);
    let durations: Vec<_> = feed.episodes.iter().map(|e| e.duration_secs).collect();
    assert_eq!(durations, [Some(1548), Some(1450)]);
}

#[test]
fn windows_1252_declared_in_the_prolog_keeps_its_curly_quotes_dashes_and_euro_sign() {
    let feed = parsed("windows-1252.xml");
    assert_eq!(feed.podcast.title, "“Small Change” – Money Talk");
    assert_eq!(feed.podcast.description.as_deref(), Some("Budgets for under €5 a day…"));
    assert_eq!(titles(&feed), ["Why “free” costs €0… or more"]);
}

#[test]
fn bytes_that_are_not_utf8_and_declare_nothing_are_read_as_windows_1252() {
    let feed = parsed("undeclared-windows-1252.xml");
    assert_eq!(feed.podcast.title, "Señor Ñandú’s Café");
    assert_eq!(titles(&feed), ["Mañana, ¿qué?"]);
}

#[test]
fn a_utf8_byte_order_mark_is_not_read_as_text() {
    let feed = parsed("utf-8-bom.xml");
    assert_eq!(feed.podcast.title, "Kongens Køkken");
    assert_eq!(titles(&feed), ["Æbleskiver og øl"]);
    assert_eq!(feed.episodes[0].duration_secs, Some(2200));
    assert_eq!(feed.episodes[0].published, utc(2023, 12, 1, 5, 0, 0));
}

#[test]
fn utf16le_with_a_byte_order_mark_is_decoded() {
    let feed = parsed("utf-16le-bom.xml");
    assert_eq!(feed.podcast.title, "Życie w Łodzi");
    assert_eq!(titles(&feed), ["Źródła i rzeki", "Śniadanie na Piotrkowskiej"]);
    assert_eq!(feed.episodes[0].enclosure.url, "https://pliki.zycie-w-lodzi.example.pl/zwl-2.mp3");
    assert_eq!(feed.episodes[1].published, utc(2024, 4, 3, 14, 0, 0));
}

#[test]
fn feeds_in_other_encodings_are_stored_with_their_titles_intact() {
    for (name, show, first_episode) in [
        ("iso-8859-1.xml", "Ràdio Café Crème", "Episodi 2: L'été à Perpinyà"),
        ("windows-1252.xml", "“Small Change” – Money Talk", "Why “free” costs €0… or more"),
        ("utf-8-bom.xml", "Kongens Køkken", "Æbleskiver og øl"),
        ("utf-16le-bom.xml", "Życie w Łodzi", "Źródła i rzeki"),
    ] {
        let subscription = Subscription::to(name, "/feed.xml");
        assert_eq!(subscription.title(), show, "{name}");
        assert_eq!(subscription.episode_titles()[0], first_episode, "{name}");
    }
}

#[test]
fn whitespace_before_the_xml_declaration_is_skipped() {
    let feed = parsed("leading-whitespace.xml");
    assert_eq!(feed.podcast.title, "Tidy Desk Hour");
    assert_eq!(titles(&feed), ["Cables, tamed", "Paper, sorted"]);
    let numbers: Vec<_> = feed.episodes.iter().map(|e| (e.season_number, e.episode_number)).collect();
    assert_eq!(numbers, [(Some(2), Some(5)), (Some(2), Some(4))]);
    let durations: Vec<_> = feed.episodes.iter().map(|e| e.duration_secs).collect();
    assert_eq!(durations, [Some(3849), Some(3492)]);
}

#[test]
fn php_warnings_printed_before_the_xml_are_skipped() {
    let feed = parsed("php-warnings.xml");
    assert_eq!(feed.podcast.title, "Conversa à Meia-Noite");
    assert_eq!(titles(&feed), ["Três perguntas sem resposta", "Duas vozes", "Uma pergunta"]);
    let guids: Vec<_> = feed.episodes.iter().map(|e| e.guid.as_deref().unwrap()).collect();
    assert_eq!(
        guids,
        [
            "https://meianoite.example.com.br/?p=303",
            "https://meianoite.example.com.br/?p=202",
            "https://meianoite.example.com.br/?p=101"
        ]
    );
    let durations: Vec<_> = feed.episodes.iter().map(|e| e.duration_secs).collect();
    assert_eq!(durations, [Some(2250), Some(2105), Some(1980)]);

    let subscription = Subscription::to("php-warnings.xml", "/feed.xml");
    assert_eq!(subscription.title(), "Conversa à Meia-Noite");
    assert_eq!(subscription.episodes().len(), 3);
}

#[test]
fn empty_cdata_sections_are_no_text_at_all() {
    let feed = parsed("empty-cdata.xml");
    assert_eq!(feed.podcast.title, "Quiet Corners");
    assert_eq!(feed.podcast.description, None);
    assert_eq!(titles(&feed), ["The reading room", "The night bus"]);
    let notes: Vec<_> = feed.episodes.iter().map(|e| e.notes_html.as_deref()).collect();
    assert_eq!(notes, [Some("<p>Pages turning, a clock, rain.</p>"), None]);
    assert!(feed.episodes.iter().all(|e| e.link.is_none()), "an empty <link> is no link");
}

#[test]
fn html_entities_undefined_in_xml_are_read_as_html_would() {
    let feed = parsed("html-entities.xml");
    assert_eq!(feed.podcast.title, "Brass & Reeds");
    assert_eq!(feed.podcast.description.as_deref(), Some("Jazz from the café on the corner\u{a0}— every Friday."));
    assert_eq!(titles(&feed), ["Café sessions\u{a0}9", "Trio & friends"]);
    let notes = Document::from_notes(feed.episodes[0].notes_html.as_deref().unwrap()).plain_text();
    assert!(notes.contains("Live from the back room") && notes.contains("– tenor sax, upright bass…"), "{notes}");
    assert!(!notes.contains('&'), "every entity read: {notes}");
}

#[test]
fn protocol_relative_enclosures_take_the_scheme_of_the_feed() {
    let feed = parsed("protocol-relative-enclosures.xml");
    let urls: Vec<_> = feed.episodes.iter().map(|e| e.enclosure.url.as_str()).collect();
    assert_eq!(
        urls,
        ["https://cdn.nightshift.example.com/audio/ns-2.mp3", "https://cdn.nightshift.example.com/audio/ns-1.mp3"]
    );
    assert_eq!(feed.podcast.art_url.as_deref(), Some("https://cdn.nightshift.example.com/art/cover.jpg"));

    let subscription = Subscription::to("protocol-relative-enclosures.xml", "/feed.xml");
    let stored: Vec<_> = subscription.episodes().into_iter().map(|e| e.url).collect();
    assert_eq!(
        stored,
        ["http://cdn.nightshift.example.com/audio/ns-2.mp3", "http://cdn.nightshift.example.com/audio/ns-1.mp3"]
    );
}

#[test]
fn relative_enclosures_resolve_against_the_feeds_address() {
    let feed = parsed("relative-enclosures.xml");
    assert_eq!(feed.podcast.title, "feeds.example.com", "no channel title: the feed's host");
    let enclosures: Vec<_> =
        feed.episodes.iter().map(|e| (e.enclosure.url.as_str(), e.enclosure.mime.as_deref())).collect();
    assert_eq!(
        enclosures,
        [
            ("https://feeds.example.com/shows/audio/one.mp3", None),
            ("https://feeds.example.com/media/two.mp3", Some("audio/mpeg")),
            ("https://feeds.example.com/three.mp3", None),
        ]
    );
    assert!(feed.episodes.iter().all(|e| e.guid.is_none()));

    let subscription = Subscription::to("relative-enclosures.xml", "/shows/feed.xml");
    let mut stored: Vec<_> = subscription.episodes().into_iter().map(|e| e.url).collect();
    stored.sort();
    let server = &subscription.server;
    assert_eq!(stored, [server.url("/media/two.mp3"), server.url("/shows/audio/one.mp3"), server.url("/three.mp3")]);
}

#[test]
fn a_guid_repeated_with_another_file_is_another_episode_and_an_exact_repeat_is_one() {
    let feed = parsed("duplicate-guids.xml");
    let guids: Vec<_> = feed.episodes.iter().map(|e| e.guid.as_deref().unwrap()).collect();
    assert_eq!(guids, ["tale-7", "tale-7", "tale-8", "tale-8"]);

    let mut subscription = Subscription::to("duplicate-guids.xml", "/feed.xml");
    let stored = ["Bonus: the keeper's log", "The lighthouse, part two", "The lighthouse, part one"];
    assert_eq!(subscription.episode_titles(), stored);
    // The same items again (one byte more, so the feed is read again, not skipped as unchanged).
    let again = format!("{}\n", String::from_utf8(fixture("duplicate-guids.xml")).unwrap());
    let report = subscription.refresh_with(again);
    assert_eq!((report.added, report.updated), (0, 0), "{report:?}");
    assert_eq!(subscription.episode_titles(), stored);
}

#[test]
fn items_without_a_guid_keep_their_identity_by_enclosure_across_refreshes() {
    let feed = parsed("no-guids.xml");
    assert!(feed.episodes.iter().all(|e| e.guid.is_none()), "no made-up guids");
    let published: Vec<_> = feed.episodes.iter().map(|e| e.published).collect();
    assert_eq!(published, [utc(2024, 1, 27, 2, 0, 0), utc(2024, 1, 20, 2, 0, 0), utc(2024, 1, 13, 2, 0, 0)]);
    assert_eq!(feed.episodes[0].link.as_deref(), Some("https://malrapide.example.org/3"));

    let mut subscription = Subscription::to("no-guids.xml", "/feed.xml");
    let second = subscription.episodes().into_iter().find(|e| e.title == "Dua leciono").unwrap();
    subscription.library.set_position(second.id, 61.0).unwrap();
    let fourth = "<item>\n<title>Kvara leciono</title>\n<pubDate>03 Feb 2024 02:00:00 GMT</pubDate>\n\
                  <enclosure url=\"https://malrapide.example.org/son/4.mp3\" type=\"audio/mpeg\" length=\"3000000\"/>\n\
                  </item>\n<item>";
    let with_a_fourth = String::from_utf8(fixture("no-guids.xml")).unwrap().replacen("<item>", fourth, 1);
    let report = subscription.refresh_with(with_a_fourth);
    assert_eq!((report.added, report.updated, report.unchanged), (1, 0, 3));
    assert_eq!(subscription.episode_titles(), ["Kvara leciono", "Tria leciono", "Dua leciono", "Unua leciono"]);
    let second_now = subscription.episodes().into_iter().find(|e| e.title == "Dua leciono").unwrap();
    assert_eq!((second_now.id, second_now.position_secs), (second.id, 61.0), "the same episode, where it was left");
}

#[test]
fn video_items_and_items_without_an_enclosure_are_not_episodes() {
    let feed = parsed("video-enclosures.xml");
    assert_eq!(titles(&feed), ["Sharpening, the audio", "Glue, in AAC", "Clamps, with an odd type"]);
    let mimes: Vec<_> = feed.episodes.iter().map(|e| e.enclosure.mime.as_deref()).collect();
    assert_eq!(mimes, [Some("audio/mpeg"), Some("audio/x-m4a"), Some("audio/mp3")]);
}

#[test]
fn an_enclosure_typed_null_is_audio_only_by_its_file_extension() {
    let feed = parsed("null-type-enclosures.xml");
    assert_eq!(feed.podcast.title, "Història de l'Art");
    assert_eq!(titles(&feed), ["Lliçó 1: el romànic (àudio)"]);
    let episode = &feed.episodes[0];
    assert_eq!(episode.enclosure.url, "https://itunesu.escola-oberta.example.edu/hda/llico-1.mp3");
    assert_eq!(episode.enclosure.mime, None, "\"null\" is no type");
    assert_eq!((episode.enclosure.length, episode.duration_secs), (None, None));
}

#[test]
fn odd_publication_dates_are_read_or_left_empty_and_never_drop_an_episode() {
    let feed = parsed("odd-pubdates.xml");
    assert_eq!(feed.episodes.len(), 8);
    let published = |guid: &str| by_guid(&feed, guid).published;
    assert_eq!(published("rmh-empty"), None);
    assert_eq!(published("rmh-cst"), utc(2024, 11, 6, 16, 22, 15), "CST is six hours behind UTC");
    assert_eq!(published("rmh-seconds"), utc(2024, 4, 28, 6, 0, 0), "352 seconds is no time, but the day is kept");
    assert_eq!(published("rmh-noweekday"), utc(2023, 7, 27, 2, 0, 0));
    assert_eq!(published("rmh-utc"), utc(2024, 3, 5, 9, 5, 0));
    assert_eq!(published("rmh-iso"), utc(2024, 2, 29, 17, 30, 0));
    assert_eq!(published("rmh-long"), utc(2024, 3, 14, 12, 0, 0));
    assert_eq!(published("rmh-words"), None);

    let subscription = Subscription::to("odd-pubdates.xml", "/feed.xml");
    let titles = subscription.episode_titles();
    assert_eq!(
        titles[..6],
        [
            "Central time",
            "Three-digit seconds",
            "Long day and month names",
            "UTC and a one-digit hour",
            "An ISO date in RSS",
            "No weekday"
        ]
    );
    assert_eq!(titles[6..], ["Empty date", "Words, not a date"], "undated episodes come last, in the feed's order");
}

#[test]
fn odd_durations_are_read_or_left_unknown() {
    let feed = parsed("odd-durations.xml");
    let duration = |guid: &str| by_guid(&feed, guid).duration_secs;
    assert_eq!(duration("pt-url"), None, "a link is no duration");
    assert_eq!(duration("pt-empty"), None);
    assert_eq!(duration("pt-hms"), Some(3723));
    assert_eq!(duration("pt-seconds"), Some(3723));
    assert_eq!(duration("pt-ms"), Some(2730));
    assert_eq!(duration("pt-short"), Some(425));
    assert_eq!(duration("pt-padded"), Some(3599));
    assert_eq!(duration("pt-fraction"), Some(1800));
    assert_eq!(duration("pt-words"), None);
    assert_eq!(duration("pt-four"), None, "four fields are no clock");
}

#[test]
fn empty_zero_and_missing_enclosure_lengths_are_unknown() {
    let feed = parsed("enclosure-lengths.xml");
    let lengths: Vec<_> = feed.episodes.iter().map(|e| e.enclosure.length).collect();
    assert_eq!(lengths, [None, None, None, Some(5_242_880)]);
    assert!(feed.episodes.iter().all(|e| e.enclosure.mime.as_deref() == Some("audio/x-mp3")));
}

#[test]
fn itunes_tags_without_their_namespace_declared_are_read() {
    let feed = parsed("undeclared-itunes-prefix.xml");
    assert_eq!(feed.podcast.title, "De Ochtendploeg");
    assert_eq!(feed.podcast.author.as_deref(), Some("Radio Ochtendploeg"));
    assert_eq!(feed.podcast.art_url.as_deref(), Some("https://ochtendploeg.example.be/cover.jpg"));
    assert_eq!(
        feed.podcast.new_feed_url.as_deref(),
        Some("https://podcasts.ochtendploeg.example.be/v2/feed.xml"),
        "without the line breaks around it"
    );
    assert_eq!(titles(&feed), ["Vrijdag: de grote quiz", "Donderdag: kort"]);
    let durations: Vec<_> = feed.episodes.iter().map(|e| e.duration_secs).collect();
    assert_eq!(durations, [Some(1834), Some(95)]);
    assert!(feed.episodes.iter().all(|e| e.guid.is_none()));
}

#[test]
fn atom_entries_with_an_audio_enclosure_link_are_episodes() {
    let bytes = fixture("atom.xml");
    let feed = parsed("atom.xml");
    assert_eq!(feed.podcast.title, "Field Recordings Weekly");
    assert_eq!(feed.podcast.author.as_deref(), Some("Ines Haller"));
    assert_eq!(feed.podcast.link.as_deref(), Some("https://fieldrecordings.example.org/"));
    assert_eq!(titles(&feed), ["Rain on a tin roof", "Harbour at dawn"]);

    let rain = &feed.episodes[0];
    assert_eq!(rain.guid.as_deref(), Some("tag:fieldrecordings.example.org,2024:ep-3"));
    assert_eq!(rain.published, utc(2024, 4, 12, 7, 0, 0));
    assert_eq!(rain.enclosure.url, "https://media.fieldrecordings.example.org/ep-3", "no file extension needed");
    assert_eq!((rain.enclosure.mime.as_deref(), rain.enclosure.length), (Some("audio/mpeg"), Some(5_120_000)));
    assert_eq!(rain.link.as_deref(), Some("https://fieldrecordings.example.org/ep-3"));
    assert_eq!(rain.notes_html.as_deref(), Some("Twenty minutes of rain."));

    let harbour = &feed.episodes[1];
    assert_eq!(harbour.published, utc(2024, 4, 5, 8, 0, 0), "only <updated>: that is the date");
    assert_eq!(harbour.enclosure.url, "https://media.fieldrecordings.example.org/ep-2.ogg");
    assert_eq!(hark::feed::own_address(&bytes).as_deref(), Some("https://fieldrecordings.example.org/atom.xml"));
}

#[test]
fn podroll_funding_and_people_of_the_podcast_namespace() {
    let feed = parsed("podcast-namespace.xml");
    let related = &feed.podcast.related;
    let remote = |url: Option<&str>, guid: Option<&str>, title: Option<&str>| RemoteFeed {
        url: url.map(Into::into),
        guid: guid.map(Into::into),
        title: title.map(Into::into),
    };
    // Not the remote items that name an episode (itemGuid) or music: no shows to follow.
    assert_eq!(
        related.podroll,
        [
            remote(
                Some("https://feeds.soldertalk.example.org/feed.xml"),
                Some("2b4a6a3e-7c1d-5e8f-a0b1-c2d3e4f5a6b7"),
                Some("Solder Talk")
            ),
            remote(None, Some("8c1e2d3f-4a5b-5c6d-8e7f-9a0b1c2d3e4f"), None),
            remote(Some("https://feeds.lathe-hour.example.net/lathe.rss"), None, None),
        ]
    );
    let link = |url: &str, text: &str| WebLink { url: url.into(), text: text.into() };
    assert_eq!(
        related.funding,
        [
            link("https://pay.tinkerers.example.com/support", "Keep the workshop open"),
            link("https://members.tinkerers.example.com/join", "Support the show"),
        ],
        "the javascript: one is dropped; an empty text gets a default"
    );
    let person = |name: &str, role: &str, href: Option<&str>| hark::model::Person {
        name: name.into(),
        role: Some(role.into()),
        href: href.map(Into::into),
        img: None,
    };
    assert_eq!(
        related.people,
        [
            person("Mara Quist", "host", Some("https://people.tinkerers.example.com/mara")),
            person("Guest without a page", "guest", None)
        ],
        "the show's people, with a page or without, not an episode's guest"
    );
    assert_eq!(feed.podcast.language.as_deref(), Some("en-gb"));

    let episode = by_guid(&feed, "tb-12");
    assert_eq!(
        episode.credits.persons,
        [person("Olu Brenner", "guest", Some("https://people.tinkerers.example.com/olu"))],
        "the episode's own guest"
    );
    assert_eq!((episode.season_number, episode.episode_number), (Some(3), Some(12)));
    assert_eq!(episode.chapters_url.as_deref(), Some("https://tinkerers.example.com/tb-12/chapters.json"));
    assert_eq!(episode.transcripts.len(), 4, "five links, one of them file://");
    let plain = by_guid(&feed, "tb-11");
    assert_eq!((plain.chapters_url.as_deref(), plain.transcripts.len()), (None, 0));
}

#[test]
fn the_legacy_podcast_namespace_address_is_read_like_the_current_one() {
    let feed = parsed("legacy-podcast-namespace.xml");
    assert_eq!(
        feed.podcast.related.funding,
        [WebLink { url: "https://donate.earlyadopters.example.com/".into(), text: "Tip jar".into() }]
    );
    let episode = &feed.episodes[0];
    assert_eq!(episode.chapters_url.as_deref(), Some("https://earlyadopters.example.com/ea-1/chapters.json"));
    let transcripts: Vec<_> = episode.transcripts.iter().map(|t| (t.url.as_str(), t.mime.as_deref())).collect();
    assert_eq!(transcripts, [("https://earlyadopters.example.com/ea-1/transcript.srt", Some("application/srt"))]);
}

#[test]
fn podlove_simple_chapters_are_read_beside_a_chapters_file() {
    let feed = parsed("psc-chapters.xml");
    assert_eq!(feed.podcast.title, "Technik & Tee");
    let episode = &feed.episodes[0];
    assert_eq!(episode.enclosure.mime.as_deref(), Some("audio/mp4"));
    assert_eq!(episode.chapters_url.as_deref(), Some("https://technik-tee.example.de/tt042/chapters.json"));
    let chapters: Vec<_> = episode
        .psc_chapters
        .iter()
        .map(|c| (c.start_secs, c.title.as_str(), c.url.as_deref(), c.image.as_deref()))
        .collect();
    assert_eq!(
        chapters,
        [
            (0.0, "Intro", None, None),
            (90.5, "Unruh & Anker", Some("https://technik-tee.example.de/tt042#unruh"), None),
            (725.0, "Zugfeder", None, Some("https://feeds.example.com/shows/bilder/zugfeder.jpg")),
            (3723.25, "Ausklang", None, None),
        ],
        "the chapter that starts \"soon\" is dropped"
    );
}

#[test]
fn html_show_notes_in_cdata_keep_their_headings_lists_links_and_timestamps() {
    let feed = parsed("html-show-notes.xml");
    let notes = feed.episodes[0].notes_html.as_deref().unwrap();
    assert!(notes.starts_with("<p>Three stories from the city desk.</p>"), "content:encoded, the longer: {notes}");
    let document = Document::from_notes(notes);
    let headings = document.blocks.iter().filter(|b| matches!(b, Block::Heading { .. })).count();
    let list_items = document.blocks.iter().filter(|b| matches!(b, Block::ListItem { marker: Some(_), .. })).count();
    assert_eq!((headings, list_items), (1, 3));
    let links: Vec<_> = document.links().cloned().collect();
    assert_eq!(
        links,
        [
            Link::Timestamp(135.0),
            Link::Timestamp(880.0),
            Link::Timestamp(3723.0),
            Link::Web("https://morningpaper.example.com/fox".into()),
            Link::Web("https://morningpaper.example.com/301".into()),
        ],
        "no javascript: link"
    );
    let text = document.plain_text();
    assert!(text.contains("The river & the new flood wall"), "{text}");
    assert!(!text.contains("tracker") && !text.contains("document.location"), "no script: {text}");
}
