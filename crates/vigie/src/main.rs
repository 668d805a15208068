//! The `vigie` binary.
#![allow(missing_docs)]

fn main() {}
