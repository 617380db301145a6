*** Comments ***
UART echo guest: every byte comes back; CR or LF comes back as CR LF, BS or DEL
as BS SP BS. Renode-style suite.


*** Variables ***
${UART}             sysbus.uart0
${SCRIPT}           ${CURDIR}/../renode/rp2350.resc
${BIN}              ${CURDIR}/../build/uart-echo.elf


*** Keywords ***
Create Machine
    [Arguments]    ${binary}=false
    Execute Command    $bin=@${BIN}
    Execute Command    include @${SCRIPT}
    # let the firmware enable its receiver: bytes sent to a UART that is off are lost
    Execute Command    emulation RunFor "0.3"
    Create Terminal Tester    ${UART}    timeout=1    binaryMode=${binary}
    IF    "${binary}" != "true"    Register Failing Uart String    *** guest trap:

Echo Of
    [Arguments]    ${sent}    ${expected}
    Write To Uart    ${sent}
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
    Echo Of    ok\r    6f6b0d0a
    Echo Of    \n    0d0a
    Echo Of    x\x08    78082008
    Echo Of    \x7f    082008

Echoes Nothing More Than It Got
    Create Machine
    Write Line To Uart    ping
    Wait For Next Line On Uart
    Should Not Be On Uart    ping    timeout=0.3
    Test If Uart Is Idle    0.3

Is Silent Until Spoken To
    Create Machine
    Test If Uart Is Idle    0.5
