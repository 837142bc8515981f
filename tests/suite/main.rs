//! permcat's integration tests: one binary, a module per feature.

mod bounded;
mod browser;
mod commands;
mod common;
mod csdl;
mod diff;
mod docs;
mod export;
mod fuzz_regressions;
mod hostile;
mod least;
mod linking;
mod permissions;
mod serve;
mod site;
mod sync;
mod sync_docs;
mod webdriver;
mod which;
