*** Comments ***
Idioms from Renode's own test suites that this repository's suites do not use,
run against the fake board: a suite in this style must pass unchanged.


*** Variables ***
${BOARD}            ${CURDIR}/../board.repl
${FW}               ${CURDIR}/../fake-firmware
${PROMPT}           tick${SPACE}


*** Keywords ***
Create Machine
    [Arguments]    ${firmware}=chatty
    Execute Command    using sysbus
    Execute Command    mach create "rp2350"
    Execute Command    machine LoadPlatformDescription @${BOARD}
    Execute Command    sysbus LoadELF @${FW}/${firmware}.fake
    Execute Command    cpu VectorTableOffset `sysbus ReadDoubleWord 0x20000000`
    ${tester}=    Create Terminal Tester    sysbus.uart0    defaultPauseEmulation=true
    Set Test Variable    ${tester}


*** Test Cases ***
Reads Memory Like Renode Prints It
    Create Machine
    ${value}=    Execute Command    sysbus ReadDoubleWord 0x20000000
    Should Be Equal As Integers    ${value.strip()}    0x147
    ${vtor}=    Execute Command    cpu VectorTableOffset
    Should Be Equal    ${vtor}    0x00000147\r\n

Provides A Booted Machine
    Create Machine
    Wait For Line On Uart    tick 2    testerId=${tester}
    Provides    two-ticks    Reexecution

Continues From The Provided State
    Requires    two-ticks
    ${line}=    Wait For Next Line On Uart
    Should Be Equal    ${line.Line}    tick 3
    Should Be True    ${line.Timestamp} > 200

Uses Prompts, Regex Groups And Pauses
    Create Machine
    Wait For Prompt On Uart    ${PROMPT}    timeout=1
    ${l}=    Wait For Line On Uart    tick (\\d+)    treatAsRegex=true    pauseEmulation=true
    Should Be Equal As Integers    ${l.Groups[0]}    ${l.Groups}[0]
    Run Keyword And Expect Error    *Terminal tester failed*    Wait For Line On Uart    tock    timeout=0.3

Handles Several Machines
    Execute Command    mach create "first"
    Execute Command    machine LoadPlatformDescription @${BOARD}
    Execute Command    sysbus LoadELF @${FW}/chatty.fake
    Execute Command    mach create "second"
    Execute Command    machine LoadPlatformDescription @${BOARD}
    Execute Command    sysbus LoadELF @${FW}/blinky.fake
    Run Keyword And Expect Error    *No machine name provided*    Create Terminal Tester    sysbus.uart0
    ${a}=    Create Terminal Tester    sysbus.uart0    machine=first
    ${b}=    Create Terminal Tester    sysbus.uart0    machine=second
    Wait For Line On Uart    GPIO25 On    testerId=${b}
    Wait For Line On Uart    tick 1    testerId=${a}
    ${out}=    Execute Command    sysbus.gpio.led State    second
    Should Be Equal    ${out.strip()}    True

Is Skipped By Tag
    [Tags]    skipped
    Fail    a test tagged `skipped` must not run

Logs Through The Log Tester
    Create Log Tester    1
    Execute Command    log "Hello World"
    Wait For Log Entry    Hello World
    Create Machine    blinky
    Execute Command    showAnalyzer sysbus.uart0
    Wait For Log Entry    GPIO25 On
    Should Not Be In Log    panic    timeout=0.2
