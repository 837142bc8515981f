//! The site search puts a permission named by the query before endpoints and cmdlets,
//! and the 404 page suggests the permission a mistyped address meant, computed in the
//! browser from the search index: served by `permcat serve` on the real catalog, and
//! opened from disk.

use std::time::Duration;

use serde_json::json;

use crate::common;
use crate::pages::{
    assert_clean_console, assert_stays_on_site, save_png, screenshot_dir, search, setup_with,
    text_of, upstream, viewport,
};
use crate::webdriver::Browser;

/// The titles of the options the dropdown shows for `q`, typed into the header's box,
/// in the order a reader sees (and Enter or ArrowDown reach) them.
fn typed(b: &Browser, q: &str) -> Vec<String> {
    let input = b.find("#site-search");
    b.clear(&input);
    b.send_keys(&input, q);
    b.wait_for_at_most(
        Duration::from_secs(20),
        &format!("results for `{q}` under the search box"),
        || {
            let v = b.execute(
                "var list = document.getElementById('site-search-results'); \
                 var box = document.getElementById('site-search'); \
                 if (!list || list.hidden || box.value !== arguments[0]) return null; \
                 return Array.prototype.map.call(list.querySelectorAll('[role=option]'), \
                   function (o) { return o.className.replace('search-option search-', '') + ' ' + \
                     o.querySelector('.search-option-title').textContent; });",
                &[json!(q)],
            );
            v.as_array().filter(|a| !a.is_empty()).map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
        },
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
    assert_clean_console(b, "after typing queries");
    assert_stays_on_site(b, &u.base, "search");
}
