"""Seeing inside a run: WIT call trace, waveforms, firmware report, speed benchmark."""
