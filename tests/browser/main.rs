//! The browser tests' harness: runs each test in headless Chromium, or reports it
//! ignored, saying why, when Chromium, chromedriver or axe-core is missing or
//! `PERMCAT_SKIP_BROWSER=1` is set; with `CI=true` a missing piece fails the tests.

// Shared with the suite; these tests use only part of each file.
mod audit_page;
#[allow(dead_code)]
#[path = "../suite/common.rs"]
mod common;
mod index_pages;
mod pages;
mod permission_page;
mod search_and_404;
mod search_speed;
mod webdriver;
#[path = "../suite/which_cases.rs"]
mod which_cases;

use std::process::ExitCode;

use libtest_mimic::{Arguments, Trial};

/// Every browser test: name, test, whether it runs axe-core.
const TESTS: &[(&str, fn(), bool)] = &[
    (
        "permission_page_tabs_and_copy_work_without_console_errors",
        pages::permission_page_tabs_and_copy_work_without_console_errors,
        false,
    ),
    (
        "console_check_catches_load_time_errors_and_csp_reports",
        pages::console_check_catches_load_time_errors_and_csp_reports,
        false,
    ),
    (
        "theme_toggle_switches_and_remembers_the_theme",
        pages::theme_toggle_switches_and_remembers_the_theme,
        false,
    ),
    (
        "index_filters_hide_and_count_permissions",
        pages::index_filters_hide_and_count_permissions,
        false,
    ),
    (
        "no_request_leaves_the_site",
        pages::no_request_leaves_the_site,
        false,
    ),
    (
        "pages_do_not_scroll_sideways",
        pages::pages_do_not_scroll_sideways,
        false,
    ),
    (
        "screenshots_of_permission_page_and_index",
        pages::screenshots_of_permission_page_and_index,
        false,
    ),
    (
        "the_real_catalog_with_todays_docs_shows_cmdlets_and_every_language",
        pages::the_real_catalog_with_todays_docs_shows_cmdlets_and_every_language,
        false,
    ),
    (
        "search_ranks_exact_prefix_typo_and_paths_on_the_real_index",
        pages::search_ranks_exact_prefix_typo_and_paths_on_the_real_index,
        false,
    ),
    (
        "search_finds_cmdlets_in_the_sample",
        pages::search_finds_cmdlets_in_the_sample,
        false,
    ),
    (
        "lookup_page_answers_exactly_like_the_cli",
        pages::lookup_page_answers_exactly_like_the_cli,
        false,
    ),
    (
        "audit_page_agrees_with_the_cli",
        audit_page::audit_page_agrees_with_the_cli,
        false,
    ),
    (
        "lookup_page_shows_fallbacks_batch_and_permission_ids",
        pages::lookup_page_shows_fallbacks_batch_and_permission_ids,
        false,
    ),
    (
        "typing_in_the_search_box_opens_the_permission",
        pages::typing_in_the_search_box_opens_the_permission,
        false,
    ),
    (
        "lookup_page_answers_typed_requests",
        pages::lookup_page_answers_typed_requests,
        false,
    ),
    (
        "language_tabs_work_from_the_keyboard",
        pages::language_tabs_work_from_the_keyboard,
        false,
    ),
    (
        "export_buttons_download_json_and_csv_of_the_permission",
        pages::export_buttons_download_json_and_csv_of_the_permission,
        false,
    ),
    (
        "print_media_hides_navigation_and_buttons",
        pages::print_media_hides_navigation_and_buttons,
        false,
    ),
    (
        "main_pages_have_no_serious_accessibility_violations",
        pages::main_pages_have_no_serious_accessibility_violations,
        true,
    ),
    (
        "accessibility_check_catches_injected_violations",
        pages::accessibility_check_catches_injected_violations,
        true,
    ),
    (
        "search_puts_the_permission_named_by_the_query_first",
        search_and_404::search_puts_the_permission_named_by_the_query_first,
        false,
    ),
    (
        "the_404_page_suggests_the_permission_a_lower_case_address_meant",
        search_and_404::the_404_page_suggests_the_permission_a_lower_case_address_meant,
        true,
    ),
    (
        "index_jump_bar_sticks_on_desktop_and_is_a_select_on_a_phone",
        index_pages::index_jump_bar_sticks_on_desktop_and_is_a_select_on_a_phone,
        false,
    ),
    (
        "resources_index_filter_narrows_the_list",
        index_pages::resources_index_filter_narrows_the_list,
        true,
    ),
    (
        "permission_page_answers_first_on_the_real_catalog",
        permission_page::permission_page_answers_first_on_the_real_catalog,
        false,
    ),
    (
        "method_paths_break_only_after_a_slash",
        permission_page::method_paths_break_only_after_a_slash,
        false,
    ),
    (
        "permission_pages_fit_a_phone",
        permission_page::permission_pages_fit_a_phone,
        false,
    ),
    (
        "method_filter_narrows_the_rows",
        permission_page::method_filter_narrows_the_rows,
        false,
    ),
    (
        "print_opens_every_folded_section",
        permission_page::print_opens_every_folded_section,
        false,
    ),
    (
        "in_page_links_open_folded_sections",
        permission_page::in_page_links_open_folded_sections,
        false,
    ),
    (
        "screenshots_of_permission_pages_on_the_real_catalog",
        permission_page::screenshots_of_permission_pages_on_the_real_catalog,
        false,
    ),
    (
        "the_first_result_needs_only_the_first_script_served_and_from_disk",
        search_speed::the_first_result_needs_only_the_first_script_served_and_from_disk,
        false,
    ),
];

/// How to get what is missing, for the notes and failures.
const INSTALL: &str = "`scripts/test-setup.sh` installs Chromium, chromedriver and axe-core \
(or: apt-get install chromium chromium-driver; npm ci --prefix tests/browser)";

/// Whether this is a CI run (`CI` set to anything but empty, `0` or `false`), where
/// every browser test must run.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// Why the browser tests cannot run here (all of them, and the axe-core ones), if so.
fn reasons() -> (Option<String>, Option<String>) {
    if std::env::var("PERMCAT_SKIP_BROWSER").as_deref() == Ok("1") {
        return (Some("PERMCAT_SKIP_BROWSER=1 is set".to_string()), None);
    }
    let missing = webdriver::missing();
    let all = (!missing.is_empty()).then(|| format!("{} not found", missing.join(" and ")));
    let axe = pages::axe_path();
    let axe = (!axe.is_file()).then(|| {
        format!(
            "axe-core not installed ({} not found; `npm ci --prefix tests/browser`)",
            axe.display()
        )
    });
    (all, axe)
}

fn main() -> ExitCode {
    let mut args = Arguments::from_args();
    // One browser at a time: the tests are quicker in sequence than fighting for CPU.
    args.test_threads.get_or_insert(1);
    let ci = in_ci();
    let (all, axe) = reasons();
    let mut noted = Vec::new();
    let trials = TESTS
        .iter()
        .map(|&(name, test, needs_axe)| {
            let reason = all.clone().or_else(|| axe.clone().filter(|_| needs_axe));
            match reason {
                None => Trial::test(name, move || {
                    test();
                    Ok(())
                }),
                Some(reason) if ci => Trial::test(name, move || {
                    Err(
                        format!("{reason}, and CI=true needs every browser test to run; {INSTALL}")
                            .into(),
                    )
                }),
                Some(reason) => {
                    if !noted.contains(&reason) {
                        noted.push(reason.clone());
                    }
                    // Run anyway (`--include-ignored`), it fails saying why.
                    Trial::test(name, move || Err(format!("{reason}; {INSTALL}").into()))
                        .with_ignored_flag(true)
                }
            }
        })
        .collect();
    for reason in &noted {
        eprintln!("note: browser tests ignored: {reason}.\n      {INSTALL}.");
    }
    libtest_mimic::run(&args, trials).exit_code()
}
