"""Leaves any layer may use: settings, errors, ids, stats, crash points, runtime tuning."""
