/// One Codesys library as the twins may use it: its name, the version whose online help the
/// declarations follow, its namespace, and its declarations in ST, each with the help page it was
/// taken from. The checker knows only these names, so a name the documentation does not have (the
/// runtime's C name `RTS_SYSTIMEDATE`, a guessed enumeration value) is an error in `plc check-st`.
public struct LibraryInterface: Sendable {
    /// A group of declarations and the documentation page they follow.
    public struct Entry: Sendable {
        /// The online-help page the declarations were taken from.
        public let page: String
        /// The declarations, in ST; bodies are empty (a stand-in's behaviour is Swift, in `StandIns.native`).
        public let source: String
        /// The name of the global variable list the entry declares, when it declares one.
        public let gvl: String?

        init(_ page: String, gvl: String? = nil, _ source: String) {
            self.page = page
            self.source = source
            self.gvl = gvl
        }
    }

    /// The library's title in the Library Manager (`ModbusFB`, `CAA File`).
    public let name: String
    /// The version whose documentation the declarations follow.
    public let version: String
    /// The company that publishes it, as Codesys's library references name it.
    public let company: String
    /// The namespace its names are reached through (`FILE.Open`), nil when they are global.
    public let namespace: String?
    /// The library's documentation index.
    public let index: String
    /// The declarations, page by page.
    public let entries: [Entry]

    /// The documented name for a name the documentation does not have, and where it is documented.
    public static let documentedNames: [String: (name: String, page: String)] = [
        "RTS_SYSTIMEDATE": ("SYSTIMEDATE", helpRoot + "VisuElemBase/Current/Private-Implementation/Utilities/Date-and-Time/"
                            + "Access-to-Systime-library/VisuFctConvertLocalSystimedateToUTC.html"),
    ]

    /// The hint for an unknown name that the documentation spells differently, or nil.
    static func hint(for name: String) -> String? {
        guard let known = documentedNames[name.uppercased()] else { return nil }
        return "the library documentation names it '\(known.name)' (\(known.page))"
    }

    static let helpRoot = "https://content.helpme-codesys.com/en/libs/"

    /// Every library the twins may use, in the order they are compiled.
    public static let all: [LibraryInterface] = [modbusFB, sysCom, caaTypes, caaFile, sysTimeRtc, cmpLog]

    /// Codesys's Standard library: its blocks are compiled from `StandardLibrary.source` with their
    /// behaviour; listed here for its version and page.
    public static let standard = LibraryInterface(
        name: "Standard", version: "3.5.17.0", company: "System", namespace: nil,
        index: helpRoot + "Standard/3.5.17.0/index.html", entries: [])

    // MARK: - ModbusFB

    static let modbusRoot = helpRoot + "ModbusFB/4.1.0.0/ModbusFB/"

    static let modbusFB = LibraryInterface(
        name: "ModbusFB", version: "4.1.0.0", company: "CODESYS", namespace: "ModbusFB",
        index: helpRoot + "ModbusFB/Current/ModbusFB/fld-ModbusFB.html", entries: [
            Entry(helpRoot + "ModbusFB/4.3.0.0/ModbusFB/Enums/Error.html", """
                {attribute 'qualified_only'}
                TYPE Error : (OK := 0, LicenseMissing := 1, InvalidDataModel := 2, IllegalFunction := 3, InvalidUnitId := 4,
                    NoMemory := 21, InternalError := 22, RequestNotProcessed := 50, RequestException := 51,
                    RequestParameterError := 52, RequestError := 53, RequestCancelled := 54, ReplyError := 55,
                    ReplyTimeout := 56, InvalidReply := 57, TcpSocketError := 101, TcpInvalidInterface := 102,
                    TcpConnectTimeout := 103, SerialInvalidComPort := 201, SerialComPortUserInconsistentPortSetting := 202,
                    SerialComPortUserClientExclusiveError := 203) UDINT;
                END_TYPE
                """),
            // The ClientRequest page names the type `ExceptionCodes`; its values are the Modbus exception codes.
            Entry(modbusRoot + "Function-Blocks/Client/ClientRequest.html", """
                {attribute 'qualified_only'}
                TYPE ExceptionCodes : (NoException := 0, IllegalFunction := 1, IllegalDataAddress := 2, IllegalDataValue := 3,
                    SlaveDeviceFailure := 4, Acknowledge := 5, SlaveDeviceBusy := 6, MemoryParityError := 8,
                    GatewayPathUnavailable := 10, GatewayTargetDeviceFailedToRespond := 11) UDINT;
                END_TYPE
                {attribute 'qualified_only'}
                TYPE RtuAscii : (RTU := 0, ASCII := 1); END_TYPE

                FUNCTION_BLOCK ETrigTo
                VAR_INPUT xExecute : BOOL; udiTimeOut : UDINT; END_VAR
                VAR_OUTPUT xDone : BOOL; xBusy : BOOL; xError : BOOL; END_VAR
                END_FUNCTION_BLOCK

                FUNCTION_BLOCK ClientRequest EXTENDS ETrigTo
                VAR_IN_OUT rClient : Client; END_VAR
                VAR_INPUT uiUnitId : UINT := 0; udiReplyTimeout : UDINT := 50 * 1000; uiMaxRetries : UINT := 0; END_VAR
                VAR_OUTPUT eErrorID : ModbusFB.Error; eException : ExceptionCodes; uiRetryCnt : UINT; END_VAR
                END_FUNCTION_BLOCK

                FUNCTION_BLOCK ClientRequestRead EXTENDS ClientRequest
                VAR_INPUT uiStartItem : UINT := 0; uiQuantity : UINT := 1; pData : POINTER TO BYTE := 0; END_VAR
                (* the engine's own state of a running request, not part of the library's interface *)
                VAR xPrevExecute__ : BOOL; xShown__ : BOOL; diTicket__ : DINT; tStart__ : TIME; END_VAR
                END_FUNCTION_BLOCK

                FUNCTION_BLOCK ClientRequestReadRegisters EXTENDS ClientRequestRead
                END_FUNCTION_BLOCK

                FUNCTION_BLOCK ClientRequestReadInputRegisters EXTENDS ClientRequestReadRegisters
                END_FUNCTION_BLOCK

                FUNCTION_BLOCK ClientRequestReadHoldingRegisters EXTENDS ClientRequestReadRegisters
                END_FUNCTION_BLOCK
                """),
            Entry(modbusRoot + "Function-Blocks/Client/Client.html", """
                FUNCTION_BLOCK Client
                VAR_INPUT xConnect : BOOL := FALSE; END_VAR
                VAR_OUTPUT
                    xConnected : BOOL; xError : BOOL; eErrorID : ModbusFB.Error;
                    udiNumMsgSent : UDINT; udiNumMsgReply : UDINT; udiNumMsgExcReply : UDINT; udiNumMsgExcReplyIllFct : UDINT;
                    udiNumMsgExcReplyIllDataAdr : UDINT; udiNumReplyTimeouts : UDINT; udiNumReqNotProcessed : UDINT;
                    udiNumReqParamError : UDINT; udiLastTransactionTime : UDINT;
                END_VAR
                END_FUNCTION_BLOCK
                """),
            // The settings are read on a rising xConnect (the page says so); they are SysCom's enumerations.
            Entry(modbusRoot + "Function-Blocks/Client/ClientSerial.html", """
                FUNCTION_BLOCK ClientSerial EXTENDS Client
                VAR_INPUT
                    iPort : SysCom.SYS_COM_PORTS := SysCom.SYS_COM_PORTS.SYS_COMPORT1;
                    dwBaudrate : SysCom.SYS_COM_BAUDRATE := SysCom.SYS_COM_BAUDRATE.SYS_BR_19200;
                    byDataBits : BYTE := 8;
                    eParity : SysCom.SYS_COM_PARITY := SysCom.SYS_COM_PARITY.SYS_EVENPARITY;
                    eStopBits : SysCom.SYS_COM_STOPBITS := SysCom.SYS_COM_STOPBITS.SYS_ONESTOPBIT;
                    eRtuAscii : RtuAscii := RtuAscii.RTU; udiLogOptions : UDINT := 0;
                END_VAR
                END_FUNCTION_BLOCK
                """),
            Entry(modbusRoot + "Function-Blocks/Client/ClientTCP.html", """
                FUNCTION_BLOCK ClientTCP EXTENDS Client
                VAR_INPUT aIPAddr : ARRAY[0..3] OF BYTE; uiPort : UINT := 502; udiLogOptions : UDINT := 0; END_VAR
                END_FUNCTION_BLOCK
                """),
        ])

    // MARK: - SysCom

    /// SysCom's enumerations, by the names its index lists. They are declared `strict` here, so a
    /// number where the library wants an enumeration value is an error, as under Codesys's
    /// `{attribute 'strict'}`.
    static let sysCom = LibraryInterface(
        name: "SysCom", version: "3.5.17.0", company: "System", namespace: "SysCom",
        index: helpRoot + "SysCom/3.5.17.0/index.html", entries: [
            Entry(helpRoot + "SysCom/3.5.17.0/index.html", """
                {attribute 'qualified_only'} {attribute 'strict'}
                TYPE SYS_COM_PORTS : (SYS_COMPORT_NONE := 0, SYS_COMPORT1 := 1, SYS_COMPORT2 := 2, SYS_COMPORT3 := 3,
                    SYS_COMPORT4 := 4, SYS_COMPORT5 := 5, SYS_COMPORT6 := 6, SYS_COMPORT7 := 7, SYS_COMPORT8 := 8) DINT;
                END_TYPE
                {attribute 'qualified_only'} {attribute 'strict'}
                TYPE SYS_COM_BAUDRATE : (SYS_BR_4800 := 4800, SYS_BR_9600 := 9600, SYS_BR_19200 := 19200,
                    SYS_BR_38400 := 38400, SYS_BR_57600 := 57600, SYS_BR_115200 := 115200) UDINT;
                END_TYPE
                {attribute 'qualified_only'} {attribute 'strict'}
                TYPE SYS_COM_PARITY : (SYS_NOPARITY := 0, SYS_ODDPARITY := 1, SYS_EVENPARITY := 2) UDINT;
                END_TYPE
                {attribute 'qualified_only'} {attribute 'strict'}
                TYPE SYS_COM_STOPBITS : (SYS_ONESTOPBIT := 1, SYS_ONE5STOPBITS := 2, SYS_TWOSTOPBITS := 3) UDINT;
                END_TYPE
                """),
        ])

    // MARK: - CAA Types, CAA File

    static let caaTypes = LibraryInterface(
        name: "CAA Types Extern", version: "3.5.17.0", company: "CAA Technical Workgroup", namespace: "CAA",
        index: helpRoot + "CAA%20Types%20Extern/3.5.17.0/index.html", entries: [
            Entry(helpRoot + "CAA%20Types%20Extern/3.5.17.0/index.html", gvl: "CAA", """
                TYPE HANDLE : ULINT; END_TYPE
                TYPE FILENAME : STRING(255); END_TYPE
                TYPE SIZE : ULINT; END_TYPE
                TYPE PVOID : POINTER TO BYTE; END_TYPE
                VAR_GLOBAL CONSTANT
                    gc_hINVALID : HANDLE := 0;
                END_VAR
                """),
        ])

    static let caaFileRoot = helpRoot + "CAA%20File/3.5.17.0/CAA-File/"

    static let caaFile = LibraryInterface(
        name: "CAA File", version: "3.5.17.0", company: "CAA Technical Workgroup", namespace: "FILE",
        index: helpRoot + "CAA%20File/3.5.17.0/info.html", entries: [
            Entry(helpRoot + "CAA%20File/Current/CAA-File/Enums/ERROR.html", """
                {attribute 'qualified_only'}
                TYPE ERROR : (NO_ERROR := 0, FIRST_ERROR := 5100, TIME_OUT := 5101, ABORT := 5102, HANDLE_INVALID := 5103,
                    NOT_EXIST := 5104, EXIST := 5105, NO_MORE_ENTRIES := 5106, NOT_EMPTY := 5107, READ_ONLY_CAA := 5108,
                    WRONG_PARAMETER := 5109, ERROR_UNKNOWN := 5110, WRITE_INCOMPLETE := 5111, FILE_NOT_IMPLEMENTED := 5112,
                    ASM_CREATEJOB_FAILED := 5113, FILE_OPERATION_DENIED := 5114, FIRST_MF := 5150, LAST_ERROR := 5199) UDINT;
                END_TYPE
                """),
            Entry(caaFileRoot + "Enums/MODE.html", """
                {attribute 'qualified_only'}
                TYPE MODE : (MWRITE := 0, MREAD := 1, MRDWR := 2, MAPPD := 3, MRDAPP := 4); END_TYPE
                """),
            // FILE.Open EXTENDS CBM.ETrig; Write and Read EXTEND CBM.ETrigATo (the CAA Behaviour Model).
            Entry(caaFileRoot + "Function-Blocks/Open.html", """
                FUNCTION_BLOCK ETrig
                VAR_INPUT xExecute : BOOL; END_VAR
                VAR_OUTPUT xDone : BOOL; xBusy : BOOL; xError : BOOL; END_VAR
                (* the engine's own state of a running job, not part of the library's interface *)
                VAR xPrevExecute__ : BOOL; xShown__ : BOOL; xPending__ : BOOL; liTicket__ : LINT; END_VAR
                END_FUNCTION_BLOCK

                FUNCTION_BLOCK ETrigATo EXTENDS ETrig
                VAR_INPUT xAbort : BOOL; udiTimeOut : UDINT; END_VAR
                VAR_OUTPUT xAborted : BOOL; END_VAR
                END_FUNCTION_BLOCK

                FUNCTION_BLOCK Open EXTENDS ETrig
                VAR_INPUT sFileName : CAA.FILENAME; eFileMode : MODE := MODE.MRDWR; xExclusive : BOOL; END_VAR
                VAR_OUTPUT eError : FILE.ERROR; hFile : CAA.HANDLE; END_VAR
                END_FUNCTION_BLOCK
                """),
            Entry(caaFileRoot + "Function-Blocks/Close.html", """
                FUNCTION_BLOCK Close EXTENDS ETrig
                VAR_INPUT hFile : CAA.HANDLE; END_VAR
                VAR_OUTPUT eError : FILE.ERROR; END_VAR
                END_FUNCTION_BLOCK
                """),
            // The page: the buffer must not change while the write is busy.
            Entry(caaFileRoot + "Function-Blocks/Write.html", """
                FUNCTION_BLOCK Write EXTENDS ETrigATo
                VAR_INPUT hFile : CAA.HANDLE; pBuffer : CAA.PVOID; szSize : CAA.SIZE; END_VAR
                VAR_OUTPUT eError : FILE.ERROR; END_VAR
                (* the engine's check that the buffer stays unchanged while busy *)
                VAR liSum__ : LINT; END_VAR
                END_FUNCTION_BLOCK
                """),
            Entry(caaFileRoot + "Function-Blocks/Read.html", """
                FUNCTION_BLOCK Read EXTENDS ETrigATo
                VAR_INPUT hFile : CAA.HANDLE; pBuffer : CAA.PVOID; szBuffer : CAA.SIZE; END_VAR
                VAR_OUTPUT eError : FILE.ERROR; szSize : CAA.SIZE; END_VAR
                END_FUNCTION_BLOCK
                """),
            Entry(caaFileRoot + "Function-Blocks/GetSize.html", """
                FUNCTION_BLOCK GetSize EXTENDS ETrig
                VAR_INPUT sFileName : CAA.FILENAME; END_VAR
                VAR_OUTPUT eError : FILE.ERROR; szSize : CAA.SIZE; END_VAR
                END_FUNCTION_BLOCK
                """),
            Entry(caaFileRoot + "Function-Blocks/Flush.html", """
                FUNCTION_BLOCK Flush EXTENDS ETrig
                VAR_INPUT hFile : CAA.HANDLE; END_VAR
                VAR_OUTPUT eError : FILE.ERROR; END_VAR
                END_FUNCTION_BLOCK
                """),
            Entry(caaFileRoot + "Function-Blocks/DirCreate.html", """
                FUNCTION_BLOCK DirCreate EXTENDS ETrig
                VAR_INPUT sDirName : CAA.FILENAME; xParent : BOOL; END_VAR
                VAR_OUTPUT eError : FILE.ERROR; END_VAR
                END_FUNCTION_BLOCK
                """),
        ])

    // MARK: - SysTimeRtc

    /// SysTimeRtc, referenced by the SysTime library; its IEC date structure is `SYSTIMEDATE` (the
    /// runtime's C header calls it RTS_SYSTIMEDATE). Results are RTS_IEC_RESULT (UDINT); 0 is ERR_OK.
    static let sysTimeRtc = LibraryInterface(
        name: "SysTimeRtc", version: "3.5.17.0", company: "System", namespace: nil,
        index: helpRoot + "SysTime/Current/index.html", entries: [
            Entry(helpRoot + "VisuElemBase/Current/Private-Implementation/Utilities/Date-and-Time/"
                  + "Access-to-Systime-library/VisuFctConvertLocalSystimedateToUTC.html", """
                TYPE SYSTIMEDATE : STRUCT
                    wYear : UINT; wMonth : UINT; wDay : UINT; wHour : UINT; wMinute : UINT; wSecond : UINT;
                    wMilliseconds : UINT; wDayOfWeek : UINT; wYday : UINT;
                END_STRUCT END_TYPE
                """),
            Entry(helpRoot + "SysTime/Current/genindex.html", """
                FUNCTION SysTimeRtcHighResGet : UDINT
                VAR_IN_OUT pTimestamp : ULINT; END_VAR
                END_FUNCTION

                (* seconds since 1970 UTC; the result code goes to pResult *)
                FUNCTION SysTimeRtcGet : DWORD
                VAR_IN_OUT pResult : UDINT; END_VAR
                END_FUNCTION

                (* obsolete in the library, kept with its signature *)
                FUNCTION SysTimeRtcConvertUtcToLocal : UDINT
                VAR_INPUT dwTimestampUtc : DWORD; END_VAR
                VAR_IN_OUT pdwTimestampLocal : DWORD; END_VAR
                END_FUNCTION

                FUNCTION SysTimeRtcConvertHighResToLocal : UDINT
                VAR_IN_OUT pTimestamp : ULINT; pDate : SYSTIMEDATE; END_VAR
                END_FUNCTION

                FUNCTION SysTimeRtcConvertHighResToDate : UDINT
                VAR_IN_OUT pTimestamp : ULINT; pDate : SYSTIMEDATE; END_VAR
                END_FUNCTION

                FUNCTION SysTimeRtcConvertLocalToHighRes : UDINT
                VAR_IN_OUT pDate : SYSTIMEDATE; pTimestamp : ULINT; END_VAR
                END_FUNCTION

                FUNCTION SysTimeRtcConvertDateToHighRes : UDINT
                VAR_IN_OUT pDate : SYSTIMEDATE; pTimestamp : ULINT; END_VAR
                END_FUNCTION
                """),
        ])

    // MARK: - CmpLog

    /// CmpLog's LogAdd2 writes to the device log (the PLC logger); the stand-in collects the lines.
    static let cmpLog = LibraryInterface(
        name: "CmpLog", version: "3.5.17.0", company: "System", namespace: nil,
        index: helpRoot + "CmpLog/3.5.17.0/index.html", entries: [
            Entry(helpRoot + "CmpLog/Current/LogAdd2.html", """
                TYPE RTS_IEC_HANDLE : ULINT; END_TYPE
                TYPE RTS_IEC_RESULT : UDINT; END_TYPE
                FUNCTION LogAdd2 : RTS_IEC_RESULT
                VAR_INPUT
                    hLogger : RTS_IEC_HANDLE; udiCmpID : UDINT; udiClassID : UDINT; udiErrorID : UDINT;
                    udiInfoID : UDINT; pszInfo : STRING(255);
                END_VAR
                END_FUNCTION
                """),
            Entry(helpRoot + "CmpLog/3.5.17.0/genindex.html", gvl: "LogClass", """
                VAR_GLOBAL CONSTANT
                    LOG_INFO : UDINT := 16#01; LOG_WARNING : UDINT := 16#02; LOG_ERROR : UDINT := 16#04;
                    LOG_EXCEPTION : UDINT := 16#08; LOG_DEBUG : UDINT := 16#10;
                END_VAR
                """),
            Entry(helpRoot + "CmpLog/3.5.17.0/genindex.html", gvl: "LogConstants", """
                VAR_GLOBAL CONSTANT
                    LOG_STD_LOGGER : RTS_IEC_HANDLE := 0;
                END_VAR
                """),
        ])
}
