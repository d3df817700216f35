-- CreateIndex
CREATE INDEX "mesh_resources_tags_idx" ON "mesh_resources" USING GIN ("tags" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "meshes_tags_idx" ON "meshes" USING GIN ("tags" jsonb_path_ops);
