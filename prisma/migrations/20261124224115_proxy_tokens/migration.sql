-- CreateEnum
CREATE TYPE "ProxyKind" AS ENUM ('virtualNode', 'virtualGateway');

-- CreateTable
CREATE TABLE "proxy_tokens" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "mesh_id" UUID NOT NULL,
    "kind" "ProxyKind" NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "proxy_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "proxy_tokens_token_hash_key" ON "proxy_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "proxy_tokens_mesh_id_kind_name_idx" ON "proxy_tokens"("mesh_id", "kind", "name");

-- AddForeignKey
ALTER TABLE "proxy_tokens" ADD CONSTRAINT "proxy_tokens_mesh_id_fkey" FOREIGN KEY ("mesh_id") REFERENCES "meshes"("id") ON DELETE CASCADE ON UPDATE CASCADE;
