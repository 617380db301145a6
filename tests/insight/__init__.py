"""WIT trace, waveforms, report and snapshots."""
