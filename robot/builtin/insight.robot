*** Comments ***
Built-in engine only: these tests look inside the firmware (its WIT host calls), which
Renode cannot do, so they live here and not in robot/*.robot, the suites the Renode job
runs. Run with: rp2350-emu test robot/builtin/insight.robot
The keywords come from rp2350_emu.robot_keywords.insight, which the injected resource
imports in its Setup.


*** Variables ***
${UART}             sysbus.uart0
${SCRIPT}           ${CURDIR}/../../renode/rp2350.resc


*** Keywords ***
Create Traced Machine
    [Arguments]    ${guest}
    Execute Command    $bin=@${CURDIR}/../../build/${guest}.elf
    Execute Command    include @${SCRIPT}
    Trace WIT Calls
    Create Terminal Tester    ${UART}


*** Test Cases ***
Blinky Sets, Waits, Clears, Waits
    Create Traced Machine    blinky
    Wait For Line On Uart    GPIO25 On    timeout=2
    Wait For Line On Uart    GPIO25 On    timeout=1.1
    Wit Trace Should Contain    gpio.set-high(25)    timing.delay-ms(500)    gpio.set-low(25)    timing.delay-ms(500)
    ${delays}=    WIT Call Should Have Happened    timing.delay-ms(500)    times=2
    FOR    ${delay}    IN    @{delays}
        Should Be True    499000000 < ${delay.dur_ns} <= 500000000    delay lasted ${delay.dur_ns} ns
    END

UART Echo Reads Each Byte Once
    Create Traced Machine    uart-echo
    Execute Command    emulation RunFor "0.3"
    Write To Uart    ok!
    Execute Command    emulation RunFor "0.01"
    WIT Call Should Have Happened    uart.read-byte()    times=3
    Wit Trace Should Contain    uart.read-byte() -> 111    uart.write-byte(111)    uart.read-byte() -> 107
