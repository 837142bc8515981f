//! permcat's integration tests: one binary, a module per feature.

mod bounded;
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
mod least;
mod linking;
mod outputs;
mod permission_page;
mod permissions;
mod serve;
mod site;
mod sync;
mod sync_docs;
mod which;
mod which_cases;
