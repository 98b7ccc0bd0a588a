import { memoryStore } from '../../src/store/memory.js'
import { describeStore } from './store.conformance.js'

describeStore('memoryStore', async () => ({ store: memoryStore() }))
