//! Clocks, pins and the host side of the `gpio` and `button` interfaces.

use core::sync::atomic::{AtomicBool, Ordering};

use fugit::RateExtU32;
use super::hal::{self, pac, uart::{DataBits, StopBits, UartConfig, UartPeripheral}, Clock};

/// 12 MHz crystal on the Pico 2; the HAL derives the 150 MHz system clock.
const XOSC_HZ: u32 = 12_000_000;
pub const LED_PIN: u32 = 25;
pub const BUTTON_PIN: u32 = 15;
const CONSOLE_BAUD: u32 = 115_200;

/// Level last driven on the LED pin; the pin starts low after `init`.
static LED_LEVEL: AtomicBool = AtomicBool::new(false);

/// UART0 on GPIO0 (TX) / GPIO1 (RX), as the HAL's driver types it.
pub type Uart0 = hal::uart::UartPeripheral<
    hal::uart::Enabled,
    pac::UART0,
    (
        hal::gpio::Pin<hal::gpio::bank0::Gpio0, hal::gpio::FunctionUart, hal::gpio::PullDown>,
        hal::gpio::Pin<hal::gpio::bank0::Gpio1, hal::gpio::FunctionUart, hal::gpio::PullDown>,
    ),
>;

/// What `init` leaves untouched, for images that drive more of the board
/// (the servo's PWM); the others drop it, which changes no register.
pub struct Spare {
    pub pwm: pac::PWM,
    pub resets: pac::RESETS,
    pub gpio6: hal::gpio::Pin<hal::gpio::bank0::Gpio6, hal::gpio::FunctionNull, hal::gpio::PullDown>,
}

/// Brings up clocks, TIMER0, UART0 (GPIO0 TX, GPIO1 RX, 115200 8N1),
/// GPIO25 as a push-pull output (low) and GPIO15 as a pulled-up input.
pub fn init() -> Spare {
    let mut pac = pac::Peripherals::take().unwrap();
    let mut watchdog = hal::Watchdog::new(pac.WATCHDOG);
    // Also starts the TICKS generators, so TIMER0 counts microseconds.
    let clocks = hal::clocks::init_clocks_and_plls(
        XOSC_HZ,
        pac.XOSC,
        pac.CLOCKS,
        pac.PLL_SYS,
        pac.PLL_USB,
        &mut pac.RESETS,
        &mut watchdog,
    )
    .ok()
    .expect("clock initialisation failed");

    let sio = hal::Sio::new(pac.SIO);
    let pins = hal::gpio::Pins::new(pac.IO_BANK0, pac.PADS_BANK0, sio.gpio_bank0, &mut pac.RESETS);

    let uart_pins = (pins.gpio0.into_function(), pins.gpio1.into_function());
    let uart: Uart0 = UartPeripheral::new(pac.UART0, uart_pins, &mut pac.RESETS)
        .enable(
            UartConfig::new(CONSOLE_BAUD.Hz(), DataBits::Eight, None, StopBits::One),
            clocks.peripheral_clock.freq(),
        )
        .expect("UART0 configuration failed");
    // The console and the `uart` interface drive the registers directly from
    // here on (see console.rs / sleep.rs); the busywait flavour keeps the
    // driver for its blocking `read_raw`.
    #[cfg(feature = "busywait")]
    super::sleep::keep_uart(uart);
    #[cfg(not(feature = "busywait"))]
    core::mem::forget(uart);
    super::console::mark_ready();

    let led = pins.gpio25.into_push_pull_output();
    let button = pins.gpio15.into_pull_up_input();
    core::mem::forget((led, button));

    // TIMER0 out of reset; the HAL's Timer type is not used because delays
    // sleep on an alarm interrupt (sleep.rs).
    let _ = hal::Timer::new_timer0(pac.TIMER0, &mut pac.RESETS, &clocks);
    super::sleep::init();
    Spare { pwm: pac.PWM, resets: pac.RESETS, gpio6: pins.gpio6 }
}

fn sio() -> &'static pac::sio::RegisterBlock {
    // SAFETY: SIO is always mapped; only GPIO SET/CLR/IN registers are used,
    // which are single-write or read-only.
    unsafe { &*pac::SIO::ptr() }
}

/// Host side of `gpio.set-high` / `gpio.set-low`. Logs `GPIO25 On|Off` on
/// UART0 only when the level actually changes.
pub fn set_output(pin: u32, high: bool) -> wasmtime::Result<()> {
    if pin != LED_PIN {
        return Err(wasmtime::format_err!(
            "gpio: pin {pin} is not an output on this board (only GPIO{LED_PIN})"
        ));
    }
    let mask = 1 << pin;
    if high {
        sio().gpio_out_set().write(|w| unsafe { w.bits(mask) });
    } else {
        sio().gpio_out_clr().write(|w| unsafe { w.bits(mask) });
    }
    if LED_LEVEL.swap(high, Ordering::Relaxed) != high {
        crate::println!("GPIO{pin} {}", if high { "On" } else { "Off" });
    }
    Ok(())
}

/// Host side of `button.is-pressed`: active low, so pressed = pin reads 0.
pub fn is_pressed(pin: u32) -> wasmtime::Result<bool> {
    if pin != BUTTON_PIN {
        return Err(wasmtime::format_err!(
            "button: pin {pin} is not a button input on this board (only GPIO{BUTTON_PIN})"
        ));
    }
    Ok(sio().gpio_in().read().bits() & (1 << pin) == 0)
}
