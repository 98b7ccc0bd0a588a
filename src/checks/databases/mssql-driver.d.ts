/**
 * The slice of mssql's API that credctl uses. mssql ships no types and @types/mssql would be one more
 * dev dependency for four calls; these declarations are checked against mssql 12's documented API.
 */
declare module 'mssql' {
  export interface config {
    server: string
    port?: number
    database?: string
    user?: string
    password?: string
    connectionTimeout?: number
    requestTimeout?: number
    pool?: { max?: number; min?: number }
    /** Called with each new tedious Connection before it connects (mssql's tedious pool). */
    beforeConnect?: (connection: unknown) => void
    options?: {
      encrypt?: boolean
      trustServerCertificate?: boolean
      instanceName?: string
      appName?: string
      cancelTimeout?: number
    }
  }
  export interface IResult<T> {
    recordset: T[]
  }
  export class Request {
    input(name: string, value: unknown): Request
    query<T>(sql: string): Promise<IResult<T>>
  }
  export class ConnectionPool {
    constructor(config: config)
    connect(): Promise<ConnectionPool>
    close(): Promise<void>
    request(): Request
    on(event: 'error', fn: (e: unknown) => void): this
  }
  const mssql: { ConnectionPool: typeof ConnectionPool }
  export default mssql
}
