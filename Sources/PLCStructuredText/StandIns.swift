/// Declarations of the Codesys libraries the twins use (ModbusFB, CAA File, SysTimeRtc), with their
/// documented signatures, so that a call Codesys would reject is rejected here too.
///
/// Sources: the Codesys online help (content.helpme-codesys.com): ModbusFB `Client`, `ClientSerial`,
/// `ClientRequest*` (udiReplyTimeout in µs, default 50 * 1000 = 50 ms; pData POINTER TO BYTE, inherited
/// from ClientRequestRead), the `Error` enumeration; CAA File `FILE.Open` (EXTENDS CBM.ETrig) and the
/// other file blocks; SysTimeRtc as reviewed in issue 11 (VAR_IN_OUT timestamps). Names not confirmed
/// against the help are marked "unconfirmed" below.
enum StandIns {
    /// (namespace, source) pairs; a nil namespace puts the POUs at top level (SysTimeRtc has none).
    static let sources: [(String?, String)] = [("ModbusFB", modbusFB), ("FILE", caaFile), ("CAA", caaTypes),
                                               (nil, sysTimeRtc)]

    /// Swift bodies of stand-ins that do something, by upper-cased qualified name; each is made
    /// from its POU, whose variables' offsets it reads once.
    static let native: [String: @Sendable (POUInfo) -> NativeStep] = [
        "ModbusFB.CLIENTSERIAL": ModbusStandIns.client,
        "ModbusFB.CLIENTTCP": ModbusStandIns.client,
        "ModbusFB.CLIENTREQUESTREADINPUTREGISTERS": { ModbusStandIns.readRegisters($0, function: 4) },
        "ModbusFB.CLIENTREQUESTREADHOLDINGREGISTERS": { ModbusStandIns.readRegisters($0, function: 3) },
        "FILE.OPEN": FileStandIns.open,
        "FILE.CLOSE": FileStandIns.close,
        "FILE.WRITE": FileStandIns.write,
        "FILE.READ": FileStandIns.read,
        "FILE.GETSIZE": FileStandIns.getSize,
        "FILE.FLUSH": FileStandIns.flush,
        "FILE.DIRCREATE": FileStandIns.dirCreate,
        "SYSTIMERTCHIGHRESGET": TimeStandIns.highResGet,
        "SYSTIMERTCGET": TimeStandIns.get,
        "SYSTIMERTCCONVERTUTCTOLOCAL": TimeStandIns.utcToLocal,
        "SYSTIMERTCCONVERTHIGHRESTOLOCAL": TimeStandIns.highResToLocal,
    ]

    static let modbusFB = """
        {attribute 'qualified_only'}
        TYPE Error : (OK := 0, LicenseMissing := 1, InvalidDataModel := 2, IllegalFunction := 3, InvalidUnitId := 4,
            NoMemory := 21, InternalError := 22, RequestNotProcessed := 50, RequestException := 51,
            RequestParameterError := 52, RequestError := 53, RequestCancelled := 54, ReplyError := 55,
            ReplyTimeout := 56, InvalidReply := 57, TcpSocketError := 101, TcpInvalidInterface := 102,
            TcpConnectTimeout := 103, SerialInvalidComPort := 201, SerialComPortUserInconsistentPortSetting := 202,
            SerialComPortUserClientExclusiveError := 203) UDINT;
        END_TYPE
        (* unconfirmed case names: the Modbus exception codes 1 to 11 *)
        TYPE ExceptionCodes : (NoException := 0, IllegalFunction := 1, IllegalDataAddress := 2, IllegalDataValue := 3,
            SlaveDeviceFailure := 4, Acknowledge := 5, SlaveDeviceBusy := 6, MemoryParityError := 8,
            GatewayPathUnavailable := 10, GatewayTargetDeviceFailedToRespond := 11) UDINT;
        END_TYPE
        TYPE RtuAscii : (RTU := 0, ASCII := 1); END_TYPE

        FUNCTION_BLOCK ETrigTo
        VAR_INPUT xExecute : BOOL; udiTimeOut : UDINT; END_VAR
        VAR_OUTPUT xDone : BOOL; xBusy : BOOL; xError : BOOL; END_VAR
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK Client
        VAR_INPUT xConnect : BOOL := FALSE; END_VAR
        VAR_OUTPUT
            xConnected : BOOL; xError : BOOL; eErrorID : Error;
            udiNumMsgSent : UDINT; udiNumMsgReply : UDINT; udiNumMsgExcReply : UDINT; udiNumMsgExcReplyIllFct : UDINT;
            udiNumMsgExcReplyIllDataAdr : UDINT; udiNumReplyTimeouts : UDINT; udiNumReqNotProcessed : UDINT;
            udiNumReqParamError : UDINT; udiLastTransactionTime : UDINT;
        END_VAR
        END_FUNCTION_BLOCK

        (* unconfirmed: the serial settings' names and types (SysCom's enumerations are plain integers here) *)
        FUNCTION_BLOCK ClientSerial EXTENDS Client
        VAR_INPUT
            iPort : INT := 1; dwBaudrate : DWORD := 19200; byDataBits : BYTE := 8; eParity : INT := 0;
            eStopBits : INT := 1; eRtuAscii : RtuAscii := RtuAscii.RTU; udiLogOptions : UDINT := 0;
        END_VAR
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK ClientTCP EXTENDS Client
        VAR_INPUT aIPAddr : ARRAY[0..3] OF BYTE; uiPort : UINT := 502; udiLogOptions : UDINT := 0; END_VAR
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK ClientRequest EXTENDS ETrigTo
        VAR_IN_OUT rClient : Client; END_VAR
        VAR_INPUT uiUnitId : UINT := 0; udiReplyTimeout : UDINT := 50 * 1000; uiMaxRetries : UINT := 0; END_VAR
        VAR_OUTPUT eErrorID : Error; eException : ExceptionCodes; uiRetryCnt : UINT; END_VAR
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
        """

    static let caaTypes = """
        TYPE HANDLE : ULINT; END_TYPE
        TYPE FILENAME : STRING(255); END_TYPE
        TYPE SIZE : ULINT; END_TYPE
        TYPE PVOID : POINTER TO BYTE; END_TYPE
        """

    static let caaFile = """
        TYPE MODE : (MWRITE := 0, MREAD := 1, MRDWR := 2, MAPPD := 3, MRDAPP := 4); END_TYPE
        (* unconfirmed beyond NO_ERROR and TIME_OUT (5101), which the help of FILE.Open names *)
        TYPE ERROR : (NO_ERROR := 0, TIME_OUT := 5101, ABORT := 5102, HANDLE := 5103, NOT_EXIST := 5104,
            EXIST := 5105, NO_MORE_ENTRIES := 5106, NOT_EMPTY := 5107, READ_ONLY := 5108, WRONG_PARAMETER := 5109,
            ERROR_UNKNOWN := 5110, WRITE_INCOMPLETE := 5111, NOT_IMPLEMENTED := 5112) UDINT;
        END_TYPE

        FUNCTION_BLOCK ETrig
        VAR_INPUT xExecute : BOOL; END_VAR
        VAR_OUTPUT xDone : BOOL; xBusy : BOOL; xError : BOOL; END_VAR
        (* the engine's own state of a running job, not part of the library's interface *)
        VAR xPrevExecute__ : BOOL; xShown__ : BOOL; xPending__ : BOOL; END_VAR
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK ETrigATo EXTENDS ETrig
        VAR_INPUT xAbort : BOOL; udiTimeOut : UDINT; END_VAR
        VAR_OUTPUT xAborted : BOOL; END_VAR
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK Open EXTENDS ETrig
        VAR_INPUT sFileName : CAA.FILENAME; eFileMode : MODE := MODE.MRDWR; xExclusive : BOOL; END_VAR
        VAR_OUTPUT eError : ERROR; hFile : CAA.HANDLE; END_VAR
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK Close EXTENDS ETrig
        VAR_INPUT hFile : CAA.HANDLE; END_VAR
        VAR_OUTPUT eError : ERROR; END_VAR
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK Write EXTENDS ETrigATo
        VAR_INPUT hFile : CAA.HANDLE; pBuffer : CAA.PVOID; szSize : CAA.SIZE; END_VAR
        VAR_OUTPUT eError : ERROR; END_VAR
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK Read EXTENDS ETrigATo
        VAR_INPUT hFile : CAA.HANDLE; pBuffer : CAA.PVOID; szBuffer : CAA.SIZE; END_VAR
        VAR_OUTPUT eError : ERROR; szSize : CAA.SIZE; END_VAR
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK GetSize EXTENDS ETrig
        VAR_INPUT sFileName : CAA.FILENAME; END_VAR
        VAR_OUTPUT eError : ERROR; szSize : CAA.SIZE; END_VAR
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK Flush EXTENDS ETrig
        VAR_INPUT hFile : CAA.HANDLE; END_VAR
        VAR_OUTPUT eError : ERROR; END_VAR
        END_FUNCTION_BLOCK

        FUNCTION_BLOCK DirCreate EXTENDS ETrig
        VAR_INPUT sDirName : CAA.FILENAME; xParent : BOOL; END_VAR
        VAR_OUTPUT eError : ERROR; END_VAR
        END_FUNCTION_BLOCK
        """

    static let sysTimeRtc = """
        TYPE RTS_SYSTIMEDATE : STRUCT
            wYear : UINT; wMonth : UINT; wDay : UINT; wHour : UINT; wMinute : UINT; wSecond : UINT;
            wMilliseconds : UINT; wDayOfWeek : UINT; wYday : UINT;
        END_STRUCT END_TYPE

        FUNCTION SysTimeRtcHighResGet : UDINT
        VAR_IN_OUT pTimestamp : ULINT; END_VAR
        END_FUNCTION

        FUNCTION SysTimeRtcGet : UDINT
        VAR_IN_OUT pResult : UDINT; END_VAR
        END_FUNCTION

        (* obsolete in the library, kept with its signature *)
        FUNCTION SysTimeRtcConvertUtcToLocal : UDINT
        VAR_INPUT dwTimestampUtc : DWORD; END_VAR
        VAR_IN_OUT pdwTimestampLocal : DWORD; END_VAR
        END_FUNCTION

        FUNCTION SysTimeRtcConvertHighResToLocal : UDINT
        VAR_IN_OUT pTimestamp : ULINT; pDate : RTS_SYSTIMEDATE; END_VAR
        END_FUNCTION
        """
}
