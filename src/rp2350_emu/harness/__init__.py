"""The harness's view of an emulation: machines, UART ports, LEDs and buttons, log, testers, host bridges."""
