//! permcat's integration tests: one binary, a module per feature.

mod bounded;
mod browser;
mod commands;
mod common;
mod csdl;
mod current_docs;
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
mod webdriver;
mod which;
