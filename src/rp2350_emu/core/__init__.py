"""The Cortex-M33 core over Unicorn and its System Control Space (NVIC, SCB, SysTick, DWT)."""
