"""Tests of the mixed-model engine, hiertools.mixed (one file per concern)."""
