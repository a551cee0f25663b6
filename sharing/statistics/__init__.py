"""Group-level statistics (SPEC §6.4) and the one disclosure-control engine (domain-rules §9) that every
figure leaving a case view passes through: pages, returns and their summaries."""
