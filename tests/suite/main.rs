//! permcat's integration tests: one binary, a module per feature.

mod bounded;
mod cache;
mod commands;
mod common;
mod csdl;
mod current_docs;
mod diff;
mod docs;
mod examples;
mod export;
mod fuzz_regressions;
mod hostile;
mod index_pages;
mod least;
mod linking;
mod outputs;
mod permission_page;
mod permissions;
mod serve;
mod site;
mod site_exports;
mod sync;
mod sync_docs;
mod which;
mod which_batch;
mod which_cases;
