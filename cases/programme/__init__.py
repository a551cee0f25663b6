"""The national programme's part of a case (SPEC §4.3, domain-rules §6): services and selectors."""
