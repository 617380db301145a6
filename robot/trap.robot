*** Comments ***
Trap guest: turns GPIO25 on, waits 100 ms, turns it off, then executes
`unreachable`; the firmware reports `*** guest trap: ...` on UART0 and halts.
Shows how suites catch a trapping guest with a failing UART string.


*** Variables ***
${UART}             sysbus.uart0
${LED}              sysbus.gpio.led
${SCRIPT}           ${CURDIR}/../renode/rp2350.resc
# the flavour: --variable BUILD:$PWD/build/busywait (BIN:... for one image)
${BUILD}            ${CURDIR}/../build
${BIN}              ${BUILD}/trap.elf
${TRAP}             *** guest trap:


*** Keywords ***
Create Machine
    Execute Command    $bin=@${BIN}
    Execute Command    include @${SCRIPT}
    Execute Command    emulation SetGlobalAdvanceImmediately true
    Create Terminal Tester    ${UART}    timeout=3    defaultPauseEmulation=true


*** Test Cases ***
Failing String Catches The Trap Report
    Create Machine
    Register Failing Uart String    ${TRAP}
    Run Keyword And Expect Error    *Test failing entry has been found on UART*
    ...    Wait For Line On Uart    this line is never printed

Trap Report Says What Trapped
    Create Machine
    ${report}=    Wait For Line On Uart    \\*\\*\\* guest trap: (.+)    treatAsRegex=true
    Should Not Be Empty    ${report.Groups[0]}

Blinks Once Before Trapping
    Create Machine
    Create LED Tester    ${LED}
    # each assert pauses where it ends: the 100 ms on-time is measured from the edge
    Assert LED State    true    timeout=3    pauseEmulation=true
    Assert And Hold LED State    true    0    0.09    pauseEmulation=true
    Assert LED State    false    timeout=0.02    pauseEmulation=true
    Wait For Line On Uart    ${TRAP}
    Assert And Hold LED State    false    0    0.5    pauseEmulation=true
