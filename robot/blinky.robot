*** Comments ***
Blinky guest: GPIO25 on for 500 ms, off for 500 ms; the firmware logs each change
on UART0 as `GPIO25 On` / `GPIO25 Off`. Written for Renode's `renode-test`
(keywords come from its injected resource); `rp2350-emu test` runs it as is.
Every wait pauses the emulation where it matched (defaultPauseEmulation), so
virtual time moves only inside waits, in Renode as in the built-in engine.


*** Settings ***
Resource            ${CURDIR}/boot.resource


*** Variables ***
${UART}             sysbus.uart0
${LED}              sysbus.gpio.led
${SCRIPT}           ${CURDIR}/../renode/rp2350.resc
# the flavour: --variable BUILD:$PWD/build/busywait (BIN:... for one image;
# LOADER:$PWD/build/loader.elf for this guest on the loader, robot/boot.resource)
${BUILD}            ${CURDIR}/../build
${BIN}              ${BUILD}/blinky.elf


*** Keywords ***
Create Machine
    Boot Image    blinky
    # nothing here waits on the host: let Renode run ahead of wall time
    Execute Command    emulation SetGlobalAdvanceImmediately true
    Create Terminal Tester    ${UART}    defaultPauseEmulation=true
    Register Failing Uart String    *** guest trap:
    Register Failing Uart String    *** panic
    Register Failing Uart String    *** hard fault


*** Test Cases ***
Boots And Reports The LED On
    Create Machine
    ${line}=    Wait For Line On Uart    GPIO25 On    timeout=2
    Should Be Equal    ${line.Line}    GPIO25 On
    Should Be True    0 < ${line.Timestamp} < 2000

Blinks With A 500 ms Half Period
    Create Machine
    Create LED Tester    ${LED}
    Wait For Line On Uart    GPIO25 On    timeout=2
    Assert LED Is Blinking    testDuration=2.2    onDuration=0.5    offDuration=0.5    tolerance=0.05
    ...    pauseEmulation=true

Logs Each Change Half A Second Apart
    Create Machine
    ${on}=    Wait For Line On Uart    GPIO25 (On|Off)    timeout=2    treatAsRegex=true
    ${off}=    Wait For Next Line On Uart    timeout=1
    Should Be Equal    ${off.Line}    GPIO25 Off
    ${half}=    Evaluate    ${off.Timestamp} - ${on.Timestamp}
    Should Be True    495 <= ${half} <= 505    half period was ${half} ms

LED State Matches The Log
    Create Machine
    Create LED Tester    ${LED}    defaultTimeout=0.1
    Wait For Line On Uart    GPIO25 On    timeout=2
    Assert LED State    true    pauseEmulation=true
    Wait For Line On Uart    GPIO25 Off    timeout=1
    Assert LED State    false    pauseEmulation=true
    ${state}=    Execute Command    sysbus.gpio.led State
    Should Be Equal    ${state.strip()}    False

Prints Nothing But LED Changes
    Create Machine
    Wait For Line On Uart    GPIO25 On    timeout=2
    Should Not Be On Uart    ^(?!GPIO25 O(n|ff)$)    timeout=1.2    treatAsRegex=true
