*** Comments ***
Button guest: GPIO25 (LED) follows the active-low button on GPIO15, polled every
10 ms; the firmware logs each LED change on UART0. Renode-style suite. Waits and
LED asserts pause the emulation where they end, so a button press lands at the
same virtual time in Renode and in the built-in engine (never `Sleep`: it is
wall time in Renode).


*** Settings ***
Resource            ${CURDIR}/boot.resource


*** Variables ***
${UART}             sysbus.uart0
${LED}              sysbus.gpio.led
${BUTTON}           sysbus.gpio.button
${SCRIPT}           ${CURDIR}/../renode/rp2350.resc
# the flavour: --variable BUILD:$PWD/build/busywait (BIN:... for one image;
# LOADER:$PWD/build/loader.elf for this guest on the loader, robot/boot.resource)
${BUILD}            ${CURDIR}/../build
${BIN}              ${BUILD}/button.elf


*** Keywords ***
Create Machine
    Boot Image    button
    Execute Command    emulation SetGlobalAdvanceImmediately true
    Create Terminal Tester    ${UART}    defaultPauseEmulation=true
    Register Failing Uart String    *** guest trap:
    Register Failing Uart String    *** panic
    Register Failing Uart String    *** hard fault
    Create LED Tester    ${LED}    defaultTimeout=0.1
    # boot: the LED must stay off while nobody presses
    Assert And Hold LED State    false    0    0.5    pauseEmulation=true


*** Test Cases ***
LED Stays Off Without A Press
    Create Machine
    Should Not Be On Uart    GPIO25    timeout=0.5
    Assert LED State    false

LED Follows Press And Release
    Create Machine
    Execute Command    ${BUTTON} Press
    Wait For Line On Uart    GPIO25 On    timeout=0.1
    Assert LED State    true    pauseEmulation=true
    Assert And Hold LED State    true    0    0.3    pauseEmulation=true
    Execute Command    ${BUTTON} Release
    Wait For Line On Uart    GPIO25 Off    timeout=0.1
    Assert LED State    false    pauseEmulation=true

LED Stays On While The Button Is Held
    Create Machine
    Execute Command    ${BUTTON} Press
    Assert And Hold LED State    true    0.05    0.5    pauseEmulation=true
    Execute Command    ${BUTTON} Release
    Assert And Hold LED State    false    0.05    0.3    pauseEmulation=true

Toggle Twice Turns It On And Off Again
    Create Machine
    Execute Command    ${BUTTON} Toggle
    Assert LED State    true    pauseEmulation=true
    Execute Command    ${BUTTON} Toggle
    Assert LED State    false    pauseEmulation=true
    ${line}=    Wait For Line On Uart    GPIO25 Off    timeout=0.1
    Should Not Be On Uart    GPIO25    timeout=0.3
