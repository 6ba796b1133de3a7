"""Supply quality: grid registry, frequent-outage problem ledger, planned outages, repairs."""
