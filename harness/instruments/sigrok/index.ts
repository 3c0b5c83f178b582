/**
 * The sigrok-cli instrument: find analyzers, capture (fixed length, triggered, or around a step), decode captures.
 */
export { SigrokError, formatCommand } from './errors.js';
export { INSTALL_COMMAND, type SigrokCliOptions, type RunOptions } from './process.js';
export { scan, findDevice, parseScan, deviceSpec, type DeviceRef, type SigrokDevice } from './scan.js';
export type { AcquisitionOptions } from './plan.js';
export { capture, type CaptureOptions, type Trigger, type TriggerMatch } from './capture.js';
export { start, type StartOptions, type CaptureSession } from './session.js';
export { SigrokAnalyzer, type AnalyzerOptions } from './analyzer.js';
export { inspect, type DecodeInput, type InputInfo } from './inspect.js';
export { decode, type Annotation, type DecoderSpec, type DecodeOptions } from './decode.js';
export { uart, spi, i2c, timing, pwm, type UartByte, type UartOptions, type SpiOptions, type SpiWord, type I2cEvent, type I2cKind, type Interval, type PwmPeriod } from './decoders.js';
