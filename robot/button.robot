*** Comments ***
Button guest: GPIO25 (LED) follows the active-low button on GPIO15, polled every
10 ms; the firmware logs each LED change on UART0. Renode-style suite.


*** Variables ***
${UART}             sysbus.uart0
${LED}              sysbus.gpio.led
${BUTTON}           sysbus.gpio.button
${SCRIPT}           ${CURDIR}/../renode/rp2350.resc
${BIN}              ${CURDIR}/../build/button.elf


*** Keywords ***
Create Machine
    Execute Command    $bin=@${BIN}
    Execute Command    include @${SCRIPT}
    Create Terminal Tester    ${UART}
    Register Failing Uart String    *** guest trap:
    Register Failing Uart String    *** panic
    Register Failing Uart String    *** hard fault
    Create LED Tester    ${LED}    defaultTimeout=0.1
    # boot: the LED must stay off while nobody presses
    Assert And Hold LED State    false    0    0.5


*** Test Cases ***
LED Stays Off Without A Press
    Create Machine
    Should Not Be On Uart    GPIO25    timeout=0.5
    Assert LED State    false

LED Follows Press And Release
    Create Machine
    Execute Command    ${BUTTON} Press
    Wait For Line On Uart    GPIO25 On    timeout=0.1
    Assert LED State    true
    Sleep    0.3s
    Assert LED State    true
    Execute Command    ${BUTTON} Release
    Wait For Line On Uart    GPIO25 Off    timeout=0.1
    Assert LED State    false

LED Stays On While The Button Is Held
    Create Machine
    Execute Command    ${BUTTON} Press
    Assert And Hold LED State    true    0.05    0.5
    Execute Command    ${BUTTON} Release
    Assert And Hold LED State    false    0.05    0.3

Toggle Twice Turns It On And Off Again
    Create Machine
    Execute Command    ${BUTTON} Toggle
    Assert LED State    true
    Execute Command    ${BUTTON} Toggle
    Assert LED State    false
    ${line}=    Wait For Line On Uart    GPIO25 Off    timeout=0.1
    Should Not Be On Uart    GPIO25    timeout=0.3
