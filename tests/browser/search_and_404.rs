//! The site search puts a permission named by the query before endpoints and cmdlets,
//! and the 404 page suggests the permission a mistyped address meant, computed in the
//! browser from the search index: served by `permcat serve` on the real catalog, and
//! opened from disk.

use std::time::Duration;

use serde_json::json;

use crate::common;
use crate::pages::{
    assert_clean_console, assert_stays_on_site, axe_violations, describe, problems, save_png,
    screenshot_dir, search, settle, text_of, theme, upstream,
};
use crate::webdriver::Browser;

/// The options the dropdown shows for `q` typed into the header's box, as "kind
/// title", in the order a reader sees (and Enter or ArrowDown reach) them, once it
/// shows any and `done` accepts them (results may grow as parts of the index arrive).
pub fn typed_until(
    b: &Browser,
    q: &str,
    what: &str,
    done: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let input = b.find("#site-search");
    b.clear(&input);
    b.send_keys(&input, q);
    b.wait_for_at_most(Duration::from_secs(30), what, || {
        let v = b.execute(
            "var list = document.getElementById('site-search-results'); \
             var box = document.getElementById('site-search'); \
             if (!list || list.hidden || box.value !== arguments[0]) return null; \
             return Array.prototype.map.call(list.querySelectorAll('[role=option]'), \
               function (o) { return o.className.replace('search-option search-', '') + ' ' + \
                 o.querySelector('.search-option-title').textContent; });",
            &[json!(q)],
        );
        let shown: Vec<String> = v
            .as_array()?
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect();
        (!shown.is_empty() && done(&shown)).then_some(shown)
    })
}

/// The dropdown's first options for `q`.
fn typed(b: &Browser, q: &str) -> Vec<String> {
    typed_until(
        b,
        q,
        &format!("results for `{q}` under the search box"),
        |_| true,
    )
}

pub fn search_puts_the_permission_named_by_the_query_first() {
    let u = upstream("index.html");
    let b = &u.browser;
    let catalog = common::upstream_catalog();
    for (q, want) in [
        ("mail.send", "Mail.Send"),
        ("MAIL.SEND", "Mail.Send"),
        ("user.read.all", "User.Read.All"),
        ("mail.sen", "Mail.Send"),
    ] {
        // The independent reading: the catalog's permission of that name.
        let expect = catalog
            .permission_ignore_case(want)
            .map(|p| p.name.clone())
            .expect("the permission is in the real catalog");
        let results = search(b, q);
        assert_eq!(
            results.first().map(|(k, t)| (k.as_str(), t.as_str())),
            Some(("permission", expect.as_str())),
            "query({q:?}) starts with {:?}",
            results.iter().take(5).collect::<Vec<_>>()
        );
        let shown = typed(b, q);
        assert_eq!(
            shown.first().map(String::as_str),
            Some(format!("permission {expect}").as_str()),
            "the dropdown for {q:?} starts with {:?}",
            shown.iter().take(5).collect::<Vec<_>>()
        );
    }
    // Without a permission named by the query, the group with the best match leads:
    // `messages` is a word of `/me/messages` but only a typo away from ChatMessage.*.
    let results = search(b, "messages");
    assert_eq!(
        results.first().map(|(k, _)| k.as_str()),
        Some("endpoint"),
        "{:?}",
        results.iter().take(5).collect::<Vec<_>>()
    );
    let shown = typed(b, "messages");
    assert!(
        shown.first().is_some_and(|s| s.starts_with("endpoint ")),
        "{shown:?}"
    );
    let label = b.execute(
        "return document.querySelector('#site-search-results .search-group').getAttribute('aria-label');",
        &[],
    );
    assert!(
        label.as_str().is_some_and(|l| l.starts_with("Endpoints")),
        "the first group is labelled {label}"
    );
    assert_clean_console(b, "after typing queries");
    assert_stays_on_site(b, &u.base, "search");
}

/// The "Did you mean" of the 404 page once the index has loaded: (heading, links).
fn suggestions(b: &Browser) -> (String, Vec<(String, String)>) {
    b.wait_for_at_most(
        Duration::from_secs(20),
        "the 404 page's suggestions",
        || {
            let v = b.execute(
                "var box = document.querySelector('[data-not-found]'); \
                 if (!box || box.hidden) return null; \
                 return [box.querySelector('h2').textContent, \
                   Array.prototype.map.call(box.querySelectorAll('a'), function (a) { \
                     return [a.textContent, a.getAttribute('href')]; })];",
                &[],
            );
            let heading = v.get(0)?.as_str()?.to_owned();
            let links = v
                .get(1)?
                .as_array()?
                .iter()
                .map(|l| {
                    (
                        l[0].as_str().unwrap_or_default().to_owned(),
                        l[1].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            Some((heading, links))
        },
    )
}

/// Console problems except the 404 status of the page itself, which Chromium reports
/// as a failed load.
fn assert_clean_console_but_the_miss(b: &Browser, miss: &str, when: &str) {
    let found: Vec<_> = problems(b.console())
        .into_iter()
        .filter(|e| !(e.message.contains(miss) && e.message.contains("404")))
        .collect();
    assert!(found.is_empty(), "console problems {when}: {found:#?}");
}

pub fn the_404_page_suggests_the_permission_a_lower_case_address_meant() {
    let miss = "permissions/user.read.all.html";
    let u = upstream(miss);
    let b = &u.browser;
    assert_eq!(text_of(b, "h1"), "Page not found");
    let catalog = common::upstream_catalog();
    for (address, want) in [
        (miss, "User.Read.All"),
        ("permissions/mail.send.html", "Mail.Send"),
        ("permissions/usr.read.all.html", "User.Read.All"),
        (
            "permissions/industrydata-outboundflow.readwrite.all.html",
            "IndustryData-OutboundFlow.ReadWrite.All",
        ),
    ] {
        b.goto(&u.url(address));
        let expect = catalog
            .permission_ignore_case(want)
            .map(|p| p.name.clone())
            .expect("in the catalog");
        let (heading, links) = suggestions(b);
        assert_eq!(heading, format!("Did you mean {expect}?"), "at {address}");
        assert_eq!(
            links.first().map(|(t, h)| (t.as_str(), h.as_str())),
            Some((
                expect.as_str(),
                format!("/permissions/{expect}.html").as_str()
            )),
            "at {address}: {links:?}"
        );
        assert_clean_console_but_the_miss(b, address, &format!("on {address}"));
    }

    // The page in both themes: screenshots, and axe-core finds nothing serious.
    b.goto(&u.url(miss));
    suggestions(b);
    let mut found = Vec::new();
    for name in ["light", "dark"] {
        if theme(b).as_str().unwrap_or("light") != name {
            b.click(&b.find(".theme-toggle"));
            b.execute("document.activeElement.blur();", &[]);
        }
        settle(b);
        save_png(
            &b.screenshot(),
            &screenshot_dir().join(format!("404-did-you-mean-{name}.png")),
        );
        found.extend(describe(&format!("404 ({name})"), &axe_violations(b)));
    }
    b.click(&b.find(".theme-toggle"));
    assert!(found.is_empty(), "{}", found.join("\n"));

    // The suggestion is a working link to the page.
    let link = b.find("[data-not-found] h2 a");
    b.click(&link);
    b.wait_for("the suggested page", || {
        let h1 = b.execute(
            "return document.readyState === 'complete' && document.querySelector('h1') ? document.querySelector('h1').textContent : null;",
            &[],
        );
        (h1.as_str() == Some("User.Read.All")).then_some(())
    });
    assert_clean_console_but_the_miss(b, miss, "after following the suggestion");
    assert_stays_on_site(b, &u.base, "the 404 page");
}
