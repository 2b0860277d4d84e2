/// Codesys's Standard library function blocks, with Codesys's behaviour, compiled with every library.
///
/// The timers read `TIME()`, the scan's time from `ScanContext`, 32-bit like Codesys's TIME: elapsed
/// times are differences, so they stay right across the wrap at 2^32 ms.
enum StandardLibrary {
    static let file = "<Standard>"

    static let source = """
        FUNCTION_BLOCK TON
        VAR_INPUT IN : BOOL; PT : TIME; END_VAR
        VAR_OUTPUT Q : BOOL; ET : TIME; END_VAR
        VAR xTiming : BOOL; tStart : TIME; END_VAR
        IF NOT IN THEN
            xTiming := FALSE; Q := FALSE; ET := T#0MS;
        ELSE
            IF NOT xTiming THEN xTiming := TRUE; tStart := TIME(); END_IF
            ET := TIME() - tStart;
            IF ET >= PT THEN Q := TRUE; ET := PT; ELSE Q := FALSE; END_IF
        END_IF
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK TOF
        VAR_INPUT IN : BOOL; PT : TIME; END_VAR
        VAR_OUTPUT Q : BOOL; ET : TIME; END_VAR
        VAR xTiming : BOOL; tStart : TIME; END_VAR
        IF IN THEN
            Q := TRUE; ET := T#0MS; xTiming := FALSE;
        ELSIF Q THEN
            IF NOT xTiming THEN xTiming := TRUE; tStart := TIME(); END_IF
            ET := TIME() - tStart;
            IF ET >= PT THEN Q := FALSE; ET := PT; xTiming := FALSE; END_IF
        END_IF
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK TP
        VAR_INPUT IN : BOOL; PT : TIME; END_VAR
        VAR_OUTPUT Q : BOOL; ET : TIME; END_VAR
        VAR xPrevious : BOOL; tStart : TIME; END_VAR
        IF IN AND NOT xPrevious AND NOT Q THEN Q := TRUE; tStart := TIME(); END_IF
        xPrevious := IN;
        IF Q THEN
            ET := TIME() - tStart;
            IF ET >= PT THEN Q := FALSE; ET := PT; END_IF
        END_IF
        IF NOT Q AND NOT IN THEN ET := T#0MS; END_IF
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK R_TRIG
        VAR_INPUT CLK : BOOL; END_VAR
        VAR_OUTPUT Q : BOOL; END_VAR
        VAR M : BOOL; END_VAR
        Q := CLK AND NOT M;
        M := CLK;
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK F_TRIG
        VAR_INPUT CLK : BOOL; END_VAR
        VAR_OUTPUT Q : BOOL; END_VAR
        VAR M : BOOL; END_VAR
        Q := NOT CLK AND NOT M;
        M := NOT CLK;
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK CTU
        VAR_INPUT CU : BOOL; RESET : BOOL; PV : WORD; END_VAR
        VAR_OUTPUT Q : BOOL; CV : WORD; END_VAR
        VAR M : BOOL; END_VAR
        IF RESET THEN CV := 0; ELSIF CU AND NOT M AND CV < 16#FFFF THEN CV := CV + 1; END_IF
        Q := CV >= PV;
        M := CU;
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK CTD
        VAR_INPUT CD : BOOL; LOAD : BOOL; PV : WORD; END_VAR
        VAR_OUTPUT Q : BOOL; CV : WORD; END_VAR
        VAR M : BOOL; END_VAR
        IF LOAD THEN CV := PV; ELSIF CD AND NOT M AND CV > 0 THEN CV := CV - 1; END_IF
        Q := CV = 0;
        M := CD;
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK SR
        VAR_INPUT SET1 : BOOL; RESET : BOOL; END_VAR
        VAR_OUTPUT Q1 : BOOL; END_VAR
        Q1 := SET1 OR (NOT RESET AND Q1);
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK RS
        VAR_INPUT SET : BOOL; RESET1 : BOOL; END_VAR
        VAR_OUTPUT Q1 : BOOL; END_VAR
        Q1 := NOT RESET1 AND (SET OR Q1);
        END_FUNCTION_BLOCK
        """
}
