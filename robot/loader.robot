*** Comments ***
The loader image (build/loader.elf, docs/loader.md): one firmware, the guest from
its flash partition (`Load Guest Package`: `sysbus LoadBinary` at 0x10200000) or
uploaded over UART0 (`Upload Guest Over Uart`: protocol 1). Bad guests are named
in one line and the loader waits for the next upload. Written for Renode's
`renode-test`; `rp2350-emu test` runs it as is. Both keywords come from
src/rp2350_emu/robotlib/loader_keywords.py, imported by path so that Renode's
Robot finds it too. Every wait pauses where it matched: uploads are queued while
virtual time stands still.


*** Settings ***
Library             ${CURDIR}/../src/rp2350_emu/robotlib/loader_keywords.py


*** Variables ***
${UART}             sysbus.uart0
${LED}              sysbus.gpio.led
${BUTTON}           sysbus.gpio.button
${SCRIPT}           ${CURDIR}/../renode/loader.resc
${WITH_GUEST}       ${CURDIR}/../renode/loader-guest.resc
# the flavour: --variable BUILD:$PWD/build/busywait (BIN:... for one image)
${BUILD}            ${CURDIR}/../build
${BIN}              ${BUILD}/loader.elf
${GUESTS}           ${CURDIR}/../build/guest
${HOSTILE}          ${CURDIR}/../build/hostile
${READY}            loader: ready for upload (protocol 1)


*** Keywords ***
Create Loader
    [Arguments]    ${guest}=${EMPTY}
    Execute Command    $bin=@${BIN}
    Execute Command    include @${SCRIPT}
    Execute Command    emulation SetGlobalAdvanceImmediately true
    Create Terminal Tester    ${UART}    defaultPauseEmulation=true
    Register Failing Uart String    *** panic
    Register Failing Uart String    *** hard fault
    IF    "${guest}"    Load Guest Package    ${guest}

Guest Shows Itself
    [Documentation]    What each guest does first, once the loader has accepted it.
    [Arguments]    ${name}
    IF    "${name}" == "blinky"
        Wait For Line On Uart    GPIO25 On
        Wait For Line On Uart    GPIO25 Off
    ELSE IF    "${name}" == "button"
        Execute Command    ${BUTTON} Press
        Wait For Line On Uart    GPIO25 On
        Execute Command    ${BUTTON} Release
        Wait For Line On Uart    GPIO25 Off
    ELSE IF    "${name}" == "uart-echo"
        Write Line To Uart    hello, loader
    ELSE IF    "${name}" == "servo"
        Wait For Line On Uart    Angle 0
        Wait For Line On Uart    Angle 30
    ELSE IF    "${name}" == "compute"
        Wait For Line On Uart    *** guest returned from run:
        Wait For Line On Uart    ${READY}
    END

Runs From Flash
    [Arguments]    ${name}
    Create Loader    ${GUESTS}/${name}.cwasm
    Wait For Line On Uart    loader: flash guest accepted
    Guest Shows Itself    ${name}

Runs From An Upload
    [Arguments]    ${name}
    Create Loader
    ${up}=    Upload Guest Over Uart    ${GUESTS}/${name}.cwasm
    Wait For Line On Uart    loader: upload guest accepted (${up.Bytes} bytes)
    Guest Shows Itself    ${name}

Refused Then A Good Upload Runs
    [Arguments]    ${package}    ${line}
    Create Loader    ${package}
    Wait For Line On Uart    ${line}
    Wait For Line On Uart    ${READY}
    Upload Guest Over Uart    ${GUESTS}/blinky.cwasm    wait_ready=false
    Wait For Line On Uart    loader: upload guest accepted
    Wait For Line On Uart    GPIO25 On


*** Test Cases ***
Waits For An Upload When The Partition Is Empty
    Create Loader
    Wait For Line On Uart    ${READY}
    Test If Uart Is Idle    0.5

The Guest Script Places Blinky
    Execute Command    $bin=@${BIN}
    Execute Command    $guest=@${GUESTS}/blinky.cwasm
    Execute Command    include @${WITH_GUEST}
    Execute Command    emulation SetGlobalAdvanceImmediately true
    Create Terminal Tester    ${UART}    defaultPauseEmulation=true
    Wait For Line On Uart    loader: flash guest accepted (5000 bytes)
    Wait For Line On Uart    GPIO25 On

Blinky From Flash
    Runs From Flash    blinky

Button From Flash
    Runs From Flash    button

Uart Echo From Flash
    Runs From Flash    uart-echo

Servo From Flash
    Runs From Flash    servo

Compute From Flash
    Runs From Flash    compute

Blinky From An Upload
    Runs From An Upload    blinky

Button From An Upload
    Runs From An Upload    button

Uart Echo From An Upload
    Runs From An Upload    uart-echo

Servo From An Upload
    Runs From An Upload    servo

Compute From An Upload
    Runs From An Upload    compute

A Guest Driving The Console Pin Traps And The Loader Waits
    Refused Then A Good Upload Runs    ${HOSTILE}/pin-uart-tx.cwasm
    ...    *** guest trap: gpio: pin 0 is UART0 TX (the console); the guest is granted GPIO25 only

An Endless Loop Runs Out Of Fuel And The Loader Waits
    Refused Then A Good Upload Runs    ${HOSTILE}/endless-loop.cwasm
    ...    *** guest trap: wasm trap: all fuel consumed by WebAssembly

A Core Module Is Refused And The Loader Waits
    Refused Then A Good Upload Runs    ${HOSTILE}/core-module.cwasm
    ...    loader: flash guest rejected: a core WebAssembly module, not a component

A Missing Import Is Refused And The Loader Waits
    Refused Then A Good Upload Runs    ${HOSTILE}/unknown-import.cwasm
    ...    loader: flash guest rejected: imports `embedded:platform/adc`

A Bad Upload Is Refused And The Next Upload Runs
    Create Loader
    Upload Guest Over Uart    ${HOSTILE}/core-module.cwasm
    Wait For Line On Uart    loader: upload guest rejected: a core WebAssembly module, not a component
    Wait For Line On Uart    ${READY}
    Upload Guest Over Uart    ${GUESTS}/uart-echo.cwasm    wait_ready=false
    Wait For Line On Uart    loader: upload guest accepted
    Write Line To Uart    after a bad one
