"""Statutory and research returns (SPEC §6.3): participation of young people, the national programme
return and its quarterly progress summary, the ONS research matching extract and the anonymised return.

Every return is a run (`services.run_return`) that asks the one sharing check
about everyone in its cohort, leaves a Disclosure per person (shared or not,
with the check's answer), a file with its SHA-256 checksum and a transfer
record. File formats and their field lists: `sharing.returns.files`.
"""
