*** Comments ***
Servo guest: an SG90's signal line on GPIO6 (PWM slice 3 channel A), 50 Hz with a
0.5 ms pulse at 0 degrees, 1.5 ms at 90 and 2.5 ms at 180; the guest sweeps
0 -> 180 -> 0 in 30-degree steps, one every 200 ms, and the firmware logs each
step on UART0 as `Angle N`. Renode-style suite: the board's `servo` is a
Miscellaneous.LED on GPIO6, so the pulses are timed with Renode's LED tester, in
virtual time: `Pulse Should Be` (robot/pulse.resource) measures each edge, and
Renode's own `Assert LED Is Blinking` / `Assert LED Duty Cycle` check the same
pulses over a window (in Renode 1.16.1 both rarely fail on a wrong pulse: see
pulse.resource and the duty-cycle test; the measured tests are the ones that can).


*** Settings ***
Resource            ${CURDIR}/boot.resource
Resource            ${CURDIR}/pulse.resource


*** Variables ***
${UART}             sysbus.uart0
${SERVO}            sysbus.gpio.servo
${SCRIPT}           ${CURDIR}/../renode/rp2350.resc
# the flavour: --variable BUILD:$PWD/build/busywait (BIN:... for one image;
# LOADER:$PWD/build/loader.elf for this guest on the loader, robot/boot.resource)
${BUILD}            ${CURDIR}/../build
${BIN}              ${BUILD}/servo.elf
${PERIOD_MS}        20


*** Keywords ***
Create Machine
    Boot Image    servo
    Execute Command    emulation SetGlobalAdvanceImmediately true
    Create Terminal Tester    ${UART}    defaultPauseEmulation=true
    Register Failing Uart String    *** guest trap:
    Register Failing Uart String    *** panic
    Register Failing Uart String    *** hard fault
    Create LED Tester    ${SERVO}

At Angle
    [Documentation]    Waits for the `Angle N` line, then one period: a new compare value
    ...    takes effect at the counter's next wrap.
    [Arguments]    ${degrees}
    Wait For Line On Uart    Angle ${degrees}    timeout=2
    Execute Command    emulation RunFor "0.02"


*** Test Cases ***
Sweeps In 30 Degree Steps Every 200 ms
    Create Machine
    ${first}=    Wait For Line On Uart    Angle 0    timeout=2
    FOR    ${degrees}    IN    30    60    90    120    150    180    150
        ${line}=    Wait For Next Line On Uart    timeout=0.25
        Should Be Equal    ${line.Line}    Angle ${degrees}
    END
    ${step}=    Evaluate    (${line.Timestamp} - ${first.Timestamp}) / 7
    Should Be True    199 <= ${step} <= 201    one step took ${step} ms

No Pulse Before The First Angle
    Create Machine
    # the slice runs from init on with CC 0: the pin stays low through boot, until `Angle 0`
    Assert And Hold LED State    false    0    0.06    pauseEmulation=true
    ${line}=    Wait For Line On Uart    Angle 0    timeout=1
    Assert LED State    false
    ${width}    ${period}=    Measure Pulse
    Should Be True    abs(${width} - 500) <= 1    first pulse ${width} µs

Half A Millisecond At 0 Degrees
    Create Machine
    At Angle    0
    Pulse Should Be    0.5    ${PERIOD_MS}

One And A Half Milliseconds At 90 Degrees
    Create Machine
    At Angle    90
    Pulse Should Be    1.5    ${PERIOD_MS}

Two And A Half Milliseconds At 180 Degrees
    Create Machine
    At Angle    180
    Pulse Should Be    2.5    ${PERIOD_MS}

Each Step Between Is A Third Of A Millisecond Longer
    Create Machine
    FOR    ${degrees}    ${width}    IN    30    0.8333333    60    1.1666667    120    1.8333333
    ...    150    2.1666667
        At Angle    ${degrees}
        Pulse Should Be    ${width}    ${PERIOD_MS}    count=2
    END

The Way Down Repeats The Widths
    Create Machine
    At Angle    180
    At Angle    90
    Pulse Should Be    1.5    ${PERIOD_MS}
    At Angle    30
    Pulse Should Be    0.8333333    ${PERIOD_MS}
    At Angle    0
    Pulse Should Be    0.5    ${PERIOD_MS}

Blinks At 50 Hz With The Pulse Of The Angle
    Create Machine
    At Angle    90
    # Renode's keyword, 7 pulses in 150 ms: high 1.5 ms and low 18.5 ms, each within 1 %
    Assert LED Is Blinking    testDuration=0.15    onDuration=0.0015    offDuration=0.0185    tolerance=0.01
    ...    pauseEmulation=true

Duty Cycle At 90 Degrees Is 7.5 Percent
    Create Machine
    At Angle    90
    # Renode's accounting: the first change only synchronises, then every complete interval
    # counts. From a falling edge, 139 ms hold 6 high and 6 low intervals: 1.5 ms of 20 ms.
    # Renode 1.16.1 fails this keyword only when the percentage is below
    # expectedDutyCycle - tolerance * 100 (here below zero); the built-in engine checks both bounds.
    # A pulse, then its falling edge: the window starts there whatever the phase of the `Angle`
    # line to the PWM period (on the loader image it is later in the period than on servo.elf).
    Assert LED State    true    timeout=0.1    pauseEmulation=true
    Assert LED State    false    timeout=0.1    pauseEmulation=true
    Assert LED Duty Cycle    testDuration=0.139    expectedDutyCycle=0.075    tolerance=0.001
    ...    pauseEmulation=true

A Wrong Width Or Period Fails
    Create Machine
    At Angle    0
    Run Keyword And Expect Error    *width 500.0 µs, expected 0.51 ms*
    ...    Pulse Should Be    0.51    ${PERIOD_MS}
    At Angle    30
    Run Keyword And Expect Error    *period 20000.0 µs, expected 19.99 ms*
    ...    Pulse Should Be    0.8333333    19.99
