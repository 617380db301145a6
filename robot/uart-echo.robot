*** Comments ***
UART echo guest: every byte comes back; CR or LF comes back as CR LF, BS or DEL
as BS SP BS. Renode-style suite. Control bytes are sent with `Send Key To Uart`:
Renode's keyword server gets a string holding one (`x\x08`) from Robot's
Remote library as XML-RPC binary and `Write To Uart` then fails to convert it.


*** Settings ***
Resource            ${CURDIR}/boot.resource


*** Variables ***
${UART}             sysbus.uart0
${SCRIPT}           ${CURDIR}/../renode/rp2350.resc
# the flavour: --variable BUILD:$PWD/build/busywait (BIN:... for one image;
# LOADER:$PWD/build/loader.elf for this guest on the loader, robot/boot.resource)
${BUILD}            ${CURDIR}/../build
${BIN}              ${BUILD}/uart-echo.elf


*** Keywords ***
Create Machine
    [Arguments]    ${binary}=false
    Boot Image    uart-echo
    Execute Command    emulation SetGlobalAdvanceImmediately true
    # let the firmware enable its receiver: bytes sent to a UART that is off are lost
    Execute Command    emulation RunFor "0.3"
    Create Terminal Tester    ${UART}    timeout=1    binaryMode=${binary}    defaultPauseEmulation=true
    IF    "${binary}" != "true"    Register Failing Uart String    *** guest trap:

Echo Of
    [Arguments]    ${expected}    @{keys}
    FOR    ${key}    IN    @{keys}
        Send Key To Uart    ${key}
    END
    Wait For Bytes On Uart    ${expected}    timeout=0.1    matchStart=true


*** Test Cases ***
Echoes A Line
    Create Machine
    Write Line To Uart    Hello, RP2350!
    ${rest}=    Wait For Next Line On Uart
    Should Be Empty    ${rest.Line}

Echoes A Long Line
    Create Machine
    ${long}=    Evaluate    "0123456789abcdefghijklmnopqrstuvwxyz" * 4
    Write Line To Uart    ${long}
    Write Line To Uart    after the long one

Line Endings And Erase Come Back As Terminal Sequences
    Create Machine    binary=true
    Echo Of    6f6b0d0a    0x6f    0x6b    0x0d
    Echo Of    0d0a    0x0a
    Echo Of    78082008    0x78    0x08
    Echo Of    082008    0x7f

Echoes Nothing More Than It Got
    Create Machine
    Write Line To Uart    ping
    Wait For Next Line On Uart
    Should Not Be On Uart    ping    timeout=0.3
    Test If Uart Is Idle    0.3

Is Silent Until Spoken To
    Create Machine
    Test If Uart Is Idle    0.5
