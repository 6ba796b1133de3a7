"""Pure core: policy data, working-day clock and rules. No Django imports here."""
