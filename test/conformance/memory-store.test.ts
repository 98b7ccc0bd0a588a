import { memoryStore } from '../../src/store/memory.js'
import { describeStore, describeValueStore } from './store.conformance.js'

describeStore('memoryStore', async () => ({ store: memoryStore() }))
// A team store's contract (values, sealed, team headers) on the reference adapter.
describeValueStore('memoryStore with values', async () => ({ store: memoryStore('memory', { values: true }) }))
