*** Comments ***
Renode's suite plumbing for the built-in engine (rp2350-emu). `rp2350-emu test`
injects this resource into every suite, sets Suite Setup `Setup`, Suite
Teardown `Teardown`, Test Setup `Reset Emulation` and Test Teardown
`Test Teardown` where a suite has none, and sets ${RENODEKEYWORDS} to this
file, so suites written for `renode-test` run unchanged.


*** Variables ***
${DEFAULT_UART_TIMEOUT}         8
${CREATE_SNAPSHOT_ON_FAIL}      True
${SAVE_LOGS}                    True
${SAVE_LOGS_WHEN}               Fail
# the pin waveform picture in the log: for a failed test (Fail) or every test (Always)
${PIN_WAVEFORMS}                Fail
${HOLD_ON_ERROR}                False
${SKIP_RUNNING_SERVER}          True
${PORT_NUMBER}                  0
${RESULTS_DIRECTORY}            ${OUTPUT DIR}


*** Keywords ***
Setup
    [Documentation]    Suite setup: the keyword library (Renode's are served by its process; ours run in-process).
    Import Library    rp2350_emu.robotlib.library.RenodeKeywords    AS    Renode
    Import Library    rp2350_emu.robotlib.insight.InsightKeywords    AS    Insight
    Set Default Uart Timeout    ${DEFAULT_UART_TIMEOUT}
    IF    ${SAVE_LOGS}    Enable Logging To Cache
    Reset Emulation

Teardown
    [Documentation]    Suite teardown.
    Reset Emulation

Test Setup
    [Documentation]    Renode starts a profiler here for tests tagged `profiling`; nothing to do otherwise.
    No Operation

Sanitize Test Name
    [Arguments]    ${test_name}
    ${test_name}=    Evaluate    re.sub(r'[/"]', '-', $test_name.replace(' ', '_'))    modules=re
    RETURN    ${test_name}

Create Snapshot Of Failed Test
    [Documentation]    As renode-test: `Save` into snapshots/<Suite>.<Test>.fail0.save (here a built-in
    ...    engine snapshot: `Load` it in the monitor, or `rp2350-emu run --restore FILE`).
    ${test_name}=    Sanitize Test Name    ${SUITE NAME}.${TEST NAME}.fail0.save
    ${snapshot_path}=    Set Variable    "${RESULTS_DIRECTORY}/snapshots/${test_name}"
    Execute Command    Save ${snapshot_path}
    Log To Console    !!!!! Emulation's state saved to ${snapshot_path}

Test Teardown
    [Documentation]    On failure (every test with PIN_WAVEFORMS:Always): the pin waveform as a picture in
    ...    the log. On failure: UART transcripts and pin history into the log and
    ...    logs/<Suite>.<Test>.log, and the emulation's state into snapshots/<Suite>.<Test>.fail0.save
    ...    with `Save`, as renode-test does.
    ${failed}=    Evaluate    "${TEST STATUS}" == "FAIL"
    IF    ${failed} or "${PIN_WAVEFORMS}" == "Always"    Log Pin Waveform
    IF    ${failed}    Log Emulation State
    IF    ${failed} and ${CREATE_SNAPSHOT_ON_FAIL}
        Run Keyword And Warn On Failure    Create Snapshot Of Failed Test
    END
    IF    ${failed} and ${SAVE_LOGS}
        Save Cached Log    ${RESULTS_DIRECTORY}/logs/${SUITE NAME}.${TEST NAME}.log
    END
    Reset Emulation
    Clear Cached Log
