/** The steps a key source leaves empty (NewKey's persist/unpersist/discard, StagedRotation's before/after...). */
export const noop = async (): Promise<void> => {}
/** A step that has nothing to tell the user. */
export const none = async (): Promise<string[]> => []
