//! The front end: arguments, the interactive loop, scripts.
